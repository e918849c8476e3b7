namespace RlKernels.Envs;

/// <summary>
/// An env type that can state its own <see cref="EnvSpec"/> from its parameters. Lane envs with plain
/// parameters (classic control, the lecture's examples, the wrappers) implement it; the tabular env
/// cannot (its parameters are GPU views), so its declaration supplies the spec instead (<c>IEnvSink.UseTabular</c>).
/// </summary>
public interface IEnvSpec<TParams> where TParams : struct
{
    /// <summary>Sizes, spaces and time limit for these parameters.</summary>
    static abstract EnvSpec Spec(in TParams p);
}
