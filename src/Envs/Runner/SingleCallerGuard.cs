namespace RlKernels.Envs.Runner;

/// <summary>
/// The thread-safety contract of a vector env, enforced: one caller at a time. A call that starts while another
/// is running on a different thread, or a Dispose during a call, raises <see cref="InvalidOperationException"/>
/// at once instead of corrupting the env, aborting the process (worker-pool races) or hanging (Dispose waits for
/// workers that wait for the call). Costs one interlocked exchange per call and allocates nothing per call.
/// </summary>
public sealed class SingleCallerGuard(object owner)
{
    private const int Idle = 0, Busy = 1, Disposed = 2;
    private int _state;
    private string _operation = "";

    /// <summary>Marks the start of <paramref name="operation"/>; dispose the returned scope when it ends.</summary>
    /// <exception cref="InvalidOperationException">Another call is running.</exception>
    /// <exception cref="ObjectDisposedException">The env was disposed.</exception>
    public Scope Enter(string operation)
    {
        int previous = Interlocked.CompareExchange(ref _state, Busy, Idle);
        if (previous == Disposed) throw new ObjectDisposedException(owner.GetType().Name);
        if (previous == Busy)
            throw new InvalidOperationException(
                $"{operation} was called while {_operation} is still running on another thread: " +
                "a vector env serves one caller at a time (use one env per thread, or serialize the calls).");
        _operation = operation;
        return new Scope(this);
    }

    /// <summary>Marks the env disposed. False when it already was (Dispose is idempotent).</summary>
    /// <exception cref="InvalidOperationException">A call is running on another thread.</exception>
    public bool TryBeginDispose()
    {
        int previous = Interlocked.CompareExchange(ref _state, Disposed, Idle);
        if (previous == Busy)
            throw new InvalidOperationException(
                $"Dispose was called while {_operation} is still running on another thread: " +
                "wait for the call to return before disposing the env.");
        return previous == Idle;
    }

    /// <summary>True once disposed.</summary>
    public bool IsDisposed => Volatile.Read(ref _state) == Disposed;

    private void Exit() => Volatile.Write(ref _state, Idle);

    /// <summary>One call in progress; disposing it frees the env for the next caller.</summary>
    public readonly ref struct Scope
    {
        private readonly SingleCallerGuard _guard;

        internal Scope(SingleCallerGuard guard) => _guard = guard;

        /// <inheritdoc/>
        public void Dispose() => _guard?.Exit();
    }
}
