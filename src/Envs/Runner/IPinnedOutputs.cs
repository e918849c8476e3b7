namespace RlKernels.Envs.Runner;

/// <summary>
/// A vector env whose output spans (<see cref="IVectorEnv.Observations"/>, final observations, rewards, flags,
/// episode statistics) lie in pinned memory at the same address for the env's whole life. An embedder (the C ABI
/// in src/Native) then hands those addresses out once instead of copying every output after each step.
/// </summary>
public interface IPinnedOutputs;
