using System.Globalization;
using System.Numerics;
using RlKernels.Envs.Registry;

namespace RlKernels.Envs.Wrappers;

/// <summary>
/// The env-level observation wrappers a registered lane env can be built with, from env arguments:
/// <list type="bullet">
/// <item><c>hide_velocity=true</c>: drop the velocity features (partially observed variant).</item>
/// <item><c>frame_stack=K</c> (K ≥ 1): the last K observations, oldest first.</item>
/// <item><c>frame_stack_actions=true</c>: the last K actions appended after the observations.</item>
/// <item><c>frame_stack_padding=reset|zero</c>: after a reset, older frames repeat the reset observation
/// (Gymnasium's default) or are 0.</item>
/// </list>
/// Hidden velocity applies first, so a frame stack stacks the reduced observations.
/// </summary>
public sealed record EnvWrapperOptions
{
    /// <summary>Most history slots a frame stack may use: K·obsSize, plus K with actions, plus obsSize for the episode's
    /// first observation (72: every stack of at most 64 features over an observation of at most 8 fits).</summary>
    public const int MaxStackSlots = 72;

    /// <summary>Bit k set: inner observation feature k is kept; 0 = no filter.</summary>
    public uint KeepMask { get; init; }
    /// <summary>K; 0 = no frame stack.</summary>
    public int FrameStack { get; init; }
    /// <summary>True: the stacked observation also holds the last K actions (after the observations).</summary>
    public bool FrameStackActions { get; init; }
    /// <summary>True: pad with the reset observation (Gymnasium's "reset"); false: zeros.</summary>
    public bool ResetPadding { get; init; } = true;

    /// <summary>No wrapper.</summary>
    public bool IsEmpty => KeepMask == 0 && FrameStack == 0;

    /// <summary>Reads the wrapper keys of <paramref name="args"/>; errors name the key and the env.</summary>
    /// <param name="args">Env arguments; only the wrapper keys are read here.</param>
    /// <param name="envId">For messages.</param>
    /// <param name="velocityFeatures">Bit k set: obs feature k is a velocity (0: the env has none).</param>
    /// <param name="obsSize">The env's observation size before wrapping.</param>
    public static EnvWrapperOptions Parse(EnvArgs args, string envId, uint velocityFeatures, int obsSize)
    {
        bool hide = args.GetBool("hide_velocity", false);
        string? stackText = args.GetString("frame_stack");
        bool actions = args.GetBool("frame_stack_actions", false);
        string? padding = args.GetString("frame_stack_padding");

        uint keep = 0;
        if (hide)
        {
            if (velocityFeatures == 0)
                throw new ArgumentException($"{envId} has no velocity features: hide_velocity=true applies only to envs that observe velocities (the classic-control envs).");
            keep = ((obsSize >= 32 ? uint.MaxValue : (1u << obsSize) - 1)) & ~velocityFeatures;
        }

        int stack = 0;
        if (stackText is not null)
        {
            if (!int.TryParse(stackText, NumberStyles.Integer, CultureInfo.InvariantCulture, out stack) || stack < 1)
                throw new ArgumentException($"Env argument frame_stack='{stackText}' must be a whole number ≥ 1 (the observations stacked).");
        }
        if (stack == 0 && (actions || padding is not null))
            throw new ArgumentException("Env arguments frame_stack_actions and frame_stack_padding need frame_stack=K.");
        bool resetPadding = padding switch
        {
            null or "reset" => true,
            "zero" => false,
            _ => throw new ArgumentException($"Env argument frame_stack_padding='{padding}' must be 'reset' or 'zero'."),
        };
        if (stack > 0)
        {
            int frame = keep != 0 ? BitOperations.PopCount(keep) : obsSize;
            long slots = (long)stack * frame + (actions ? stack : 0) + frame;
            if (slots > MaxStackSlots)
                throw new ArgumentException(
                    $"{envId}: frame_stack={stack} needs {slots} slots ({stack} × {frame} features{(actions ? $" + {stack} actions" : "")} + {frame} for the episode's first observation); at most {MaxStackSlots} fit.");
        }
        return new EnvWrapperOptions { KeepMask = keep, FrameStack = stack, FrameStackActions = actions, ResetPadding = resetPadding };
    }
}
