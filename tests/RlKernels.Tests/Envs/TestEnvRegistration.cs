using System.Runtime.CompilerServices;
using RlKernels.Envs.Registry;

namespace RlKernels.Tests.Envs;

/// <summary>Registers the test envs before any test runs, so every registry-driven test (GPU runner, PTX, CLI) covers them.</summary>
internal static class TestEnvRegistration
{
#pragma warning disable CA2255 // a module initializer is the point here: registration must precede test discovery
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register() => EnvRegistry.Register<CorridorDeclaration, CorridorParams>();
}
