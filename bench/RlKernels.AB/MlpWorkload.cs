using System.Diagnostics;
using System.Reflection;
using System.Reflection.Emit;

namespace RlKernels.AB;

/// <summary>
/// One build's MLP training step, the one <c>rlk bench mlp</c> times: 4→64→64→2 (tanh hidden, identity output), forward,
/// backward of a fixed output gradient and an Adam step, over P × B samples. The build's types live in its own load
/// context, and <c>Mlp</c>'s calls take spans, which reflection cannot pass; so each call is a small dynamic method that
/// turns arrays into spans and calls the build's method.
/// </summary>
internal sealed class MlpWorkload : IWorkload
{
    private static readonly int[] Sizes = [4, 64, 64, 2];

    private readonly object _net, _adam, _pool;
    private readonly Action<object, float[], int, float[]> _forward;
    private readonly Action<object, float[]> _backward;
    private readonly Action<object> _zeroGradients;
    private readonly Action<object, float[], float[]> _adamStep;
    private readonly float[] _x, _y, _dY, _parameters, _gradients;
    private readonly int _batch;
    private readonly long _samples;

    private MlpWorkload(Assembly kernels, int population, int batch, int threads)
    {
        Type mlp = kernels.GetType("RlKernels.Kernels.Nn.Mlp", throwOnError: true)!;
        Type activation = kernels.GetType("RlKernels.Kernels.Nn.Activation", throwOnError: true)!;
        Type kernelChoice = kernels.GetType("RlKernels.Kernels.Nn.MlpKernels", throwOnError: true)!;
        Type poolType = kernels.GetType("RlKernels.Kernels.Threading.WorkerPool", throwOnError: true)!;
        Type adamType = kernels.GetType("RlKernels.Kernels.Nn.Adam", throwOnError: true)!;
        _pool = Activator.CreateInstance(poolType, threads > 0 ? threads : Environment.ProcessorCount)!;

        ConstructorInfo ctor = mlp.GetConstructor([typeof(ReadOnlySpan<int>), activation, activation, typeof(int), poolType, kernelChoice])!;
        var make = new DynamicMethod("NewMlp", typeof(object), [typeof(int[]), typeof(int), typeof(object)], typeof(MlpWorkload).Module, true);
        var il = make.GetILGenerator();
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Call, SpanFromArray(typeof(ReadOnlySpan<int>), typeof(int)));
        il.Emit(OpCodes.Ldc_I4, (int)Enum.Parse(activation, "Tanh"));
        il.Emit(OpCodes.Ldc_I4, (int)Enum.Parse(activation, "Identity"));
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Ldarg_2);
        il.Emit(OpCodes.Castclass, poolType);
        il.Emit(OpCodes.Ldc_I4, (int)Enum.Parse(kernelChoice, "Fast"));
        il.Emit(OpCodes.Newobj, ctor);
        il.Emit(OpCodes.Ret);
        _net = ((Func<int[], int, object, object>)make.CreateDelegate(typeof(Func<int[], int, object, object>)))(Sizes, population, _pool);
        mlp.GetMethod("Initialize")!.Invoke(_net, [1UL, Type.Missing, Type.Missing]);

        object layout = mlp.GetProperty("Layout")!.GetValue(_net)!;
        _adam = Activator.CreateInstance(adamType, layout, _pool)!;
        Array.Fill((float[])adamType.GetProperty("LearningRate")!.GetValue(_adam)!, 1e-5f);
        _parameters = (float[])mlp.GetProperty("Parameters")!.GetValue(_net)!;
        _gradients = (float[])mlp.GetProperty("Gradients")!.GetValue(_net)!;

        _forward = Call<Action<object, float[], int, float[]>>(mlp, "Forward", [typeof(float[]), typeof(int), typeof(float[])]);
        _backward = Call<Action<object, float[]>>(mlp, "Backward", [typeof(float[]), null]);
        _zeroGradients = Call<Action<object>>(mlp, "ZeroGradients", []);
        _adamStep = Call<Action<object, float[], float[]>>(adamType, "Step", [typeof(float[]), typeof(float[])]);

        var random = new Random(1);
        _x = new float[population * batch * Sizes[0]];              // [P, B, in]
        _y = new float[population * batch * Sizes[^1]];             // [P, B, out]
        _dY = new float[_y.Length];                                 // [P, B, out]: a fixed, small output gradient
        for (int i = 0; i < _x.Length; i++) _x[i] = (float)(2 * random.NextDouble() - 1);
        for (int i = 0; i < _dY.Length; i++) _dY[i] = (float)(0.01 * (2 * random.NextDouble() - 1));
        _batch = batch;
        _samples = (long)population * batch;
    }

    /// <summary>The MLP of the build in <paramref name="context"/> at P × B, on <paramref name="threads"/> threads (0 = all cores).</summary>
    public static MlpWorkload Load(System.Runtime.Loader.AssemblyLoadContext context, string dir, int population, int batch, int threads) =>
        new(context.LoadFromAssemblyPath(Path.Combine(dir, "RlKernels.Kernels.dll")), population, batch, threads);

    /// <summary>Training samples per second (P · B per step) for <paramref name="seconds"/>.</summary>
    public double Rate(double seconds)
    {
        long steps = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            _forward(_net, _x, _batch, _y);
            _zeroGradients(_net);
            _backward(_net, _dY);
            _adamStep(_adam, _parameters, _gradients);
            steps++;
        }
        return (double)_samples * steps / clock.Elapsed.TotalSeconds;
    }

    public void Dispose() => (_pool as IDisposable)?.Dispose();

    /// <summary>
    /// A delegate (target, arrays and ints…) calling <paramref name="name"/> on <paramref name="type"/>: each array argument
    /// becomes the span the method takes; a null entry of <paramref name="args"/> passes an empty span.
    /// </summary>
    private static TDelegate Call<TDelegate>(Type type, string name, Type?[] args) where TDelegate : Delegate
    {
        MethodInfo target = type.GetMethods().Single(m => m.Name == name && m.GetParameters().Length == args.Length);
        ParameterInfo[] parameters = target.GetParameters();
        Type[] delegateArgs = [typeof(object), .. args.Where(a => a != null).Select(a => a!)];
        var method = new DynamicMethod(name, null, delegateArgs, typeof(MlpWorkload).Module, true);
        var il = method.GetILGenerator();
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Castclass, type);
        short next = 1;
        for (int i = 0; i < args.Length; i++)
        {
            Type want = parameters[i].ParameterType;
            if (args[i] == null)
            {
                il.Emit(OpCodes.Ldnull);
                il.Emit(OpCodes.Call, SpanFromArray(want, want.GetGenericArguments()[0]));
                continue;
            }
            il.Emit(OpCodes.Ldarg, next++);
            if (want != args[i]) il.Emit(OpCodes.Call, SpanFromArray(want, want.GetGenericArguments()[0]));
        }
        il.Emit(OpCodes.Callvirt, target);
        il.Emit(OpCodes.Ret);
        return (TDelegate)method.CreateDelegate(typeof(TDelegate));
    }

    /// <summary>The implicit conversion T[] → Span&lt;T&gt; or ReadOnlySpan&lt;T&gt; (a null array gives an empty span).</summary>
    private static MethodInfo SpanFromArray(Type span, Type element) =>
        span.GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Single(m => m.Name == "op_Implicit" && m.ReturnType == span && m.GetParameters()[0].ParameterType == element.MakeArrayType());
}
