namespace RlKernels.Algorithms; internal static class AssemblyMarker { }
