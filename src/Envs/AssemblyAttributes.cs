// The runner's step inlines each env's state as a local struct (a frame stack's is 20 lane values): with the
// default localsinit the JIT cleared it with a memset call on every step, though Load writes every field first.
// Every stackalloc of this assembly is written before it is read.
[module: System.Runtime.CompilerServices.SkipLocalsInit]
