using System.Diagnostics.CodeAnalysis;
using RlKernels.Envs.Registry;
using RlKernels.Kernels.Lanes;

namespace RlKernels.Envs.Tabular;

/// <summary>
/// The shape every toy-text env shares: its options build an explicit model (<see cref="ToyTextParams"/>),
/// the model is the env (it runs as its dense table) and is its own tabular model. A declaration gives
/// only its <see cref="IEnvDeclaration{TParams}.Id"/> and <see cref="IEnvDeclaration{TParams}.Parse"/>.
/// </summary>
public interface IToyTextDeclaration : IEnvDeclaration<ToyTextParams>
{
    // No default parameters here: each toy-text env builds its own model, so Parse stays abstract.
    static abstract ToyTextParams IEnvDeclaration<ToyTextParams>.Parse(EnvArgs args);

    static TResult IEnvDeclaration<ToyTextParams>.Accept<T, TSink, TResult>(TSink sink, ToyTextParams p) =>
        sink.UseTabular(p.Model, p.Spec);

    static bool IEnvDeclaration<ToyTextParams>.TryGetModel(in ToyTextParams p, [NotNullWhen(true)] out TabularMdp? model)
    {
        model = p.Model;
        return true;
    }
}
