/*
 * rlkernels.h: C ABI of librlkernels.so, batched reinforcement-learning environments.
 *
 * Build: `dotnet publish src/Native -c Release` places librlkernels.so, libnethost.so and the managed
 * assemblies in python/rlkernels/native/. librlkernels.so hosts the .NET runtime (found through nethost:
 * DOTNET_ROOT or the installed dotnet) on the first call, so the JIT picks this machine's SIMD width and the
 * GPU backend is available. Link with -lrlkernels and keep the folder's files together.
 *
 * Conventions:
 *  - Every function but rlk_version, rlk_last_error and rlk_list_envs returns an rlk_status (0 = ok).
 *  - An env is an opaque 64-bit handle (never 0). A null, unknown or closed handle returns
 *    RLK_ERR_INVALID_HANDLE and never crashes.
 *  - On an error nothing changed: the env is still usable. rlk_last_error(handle) gives the message
 *    (rlk_last_error(0) for errors with no valid handle, e.g. from rlk_create).
 *  - Buffers are row-major. Library-owned output buffers (rlk_get_buffers) stay at the same address for the
 *    env's life and are overwritten by every rlk_reset / rlk_step; copy what you keep. rlk_close frees them.
 *  - Thread safety: one env serves one caller at a time; different envs may be used from different threads.
 */
#ifndef RLKERNELS_H
#define RLKERNELS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Status codes. */
typedef enum rlk_status {
    RLK_OK = 0,
    RLK_ERR_INVALID_HANDLE = 1,   /* null, unknown or closed handle */
    RLK_ERR_INVALID_ARGUMENT = 2, /* bad env args, count, seed mode, null pointer, string option */
    RLK_ERR_BUFFER_SIZE = 3,      /* a length that does not match the env's (num_envs, obs size) */
    RLK_ERR_UNKNOWN_ENV = 4,      /* env id not registered (the message lists the ids) */
    RLK_ERR_INVALID_ACTION = 5,   /* action out of range, NaN/infinite, or of the wrong kind */
    RLK_ERR_RUNTIME = 6,          /* unexpected failure inside the library (device error, out of memory) */
    RLK_ERR_HOST = 7              /* the .NET runtime or RlKernels.Native.dll could not be loaded */
} rlk_status;

/** An env's sizes and spaces. */
typedef struct rlk_spaces {
    int32_t num_envs;          /* leading dimension of every buffer */
    int32_t obs_size;          /* features per observation row (float32) */
    int32_t action_discrete;   /* 1: Discrete(action_n), actions int32 in [0, action_n); 0: Box, float32 */
    int32_t action_n;          /* Discrete n, or the Box's dimension (1) */
    float action_low;          /* 0 for Discrete; the Box's lower bound */
    float action_high;         /* n - 1 for Discrete; the Box's upper bound */
    int32_t max_episode_steps; /* time limit (truncation); 0 = none */
} rlk_spaces;

/** Library-owned output buffers: valid from rlk_create to rlk_close, overwritten by each reset/step. */
typedef struct rlk_buffers {
    float* observations;        /* [num_envs, obs_size] */
    float* final_observations;  /* [num_envs, obs_size] same_step mode: last obs of episodes that ended */
    uint8_t* final_mask;        /* [num_envs] 1 where final_observations holds an ended episode's obs */
    float* rewards;             /* [num_envs] float32 */
    uint8_t* terminated;        /* [num_envs] 0/1 */
    uint8_t* truncated;         /* [num_envs] 0/1 (time limit) */
    float* episode_returns;     /* [num_envs] return of the episode that ended in the last step */
    int32_t* episode_lengths;   /* [num_envs] length of the episode that ended in the last step */
} rlk_buffers;

/** Library version, e.g. "0.1.0" (static string). Loads the runtime; NULL if it could not be loaded. */
const char* rlk_version(void);

/**
 * Registered env ids, sorted. Writes up to `capacity` pointers to static strings into `ids` (may be NULL
 * when capacity is 0) and returns the total number of ids, or -1 if the runtime could not be loaded.
 */
int32_t rlk_list_envs(const char** ids, int32_t capacity);

/**
 * Creates `num_envs` copies of `env_id` and resets them with `seed`.
 * env_args: `n_args` strings "key=value" (NULL when n_args is 0).
 * backend: "cpu" (SIMD, all cores), "cpu-scalar", "gpu" (ILGPU, CUDA), "gpu-cpu" (ILGPU's CPU accelerator).
 * autoreset: "next_step" (Gymnasium's default), "same_step", "disabled".
 * precision: "float32", or "float64" (Gymnasium's float64 arithmetic, one thread; backend must be "cpu").
 * threads: CPU threads, 0 = all cores.
 */
rlk_status rlk_create(const char* env_id, const char* const* env_args, int32_t n_args, int32_t num_envs,
                      uint64_t seed, const char* backend, const char* autoreset, const char* precision,
                      int32_t threads, int64_t* out_handle);

/** The env's sizes and spaces. */
rlk_status rlk_get_spaces(int64_t handle, rlk_spaces* out);
/** Observation bounds: low and high each [obs_size] (length = obs_size, else RLK_ERR_BUFFER_SIZE). */
rlk_status rlk_get_obs_bounds(int64_t handle, float* low, float* high, int32_t length);
/** The library-owned output buffers (same pointers for the env's life). */
rlk_status rlk_get_buffers(int64_t handle, rlk_buffers* out);
/** Caller-owned outputs: after this call and after every later reset and step, the library also copies its outputs
 *  into the non-NULL pointers of *buffers (a NULL pointer: that output is not copied). num_envs and obs_size are the
 *  sizes the caller allocated for; anything but the env's own is RLK_ERR_BUFFER_SIZE and changes nothing. buffers NULL
 *  stops the copies. The copies cost a pass over the outputs per call; the library-owned buffers (rlk_get_buffers)
 *  need none. The caller keeps the memory valid until it stops the copies or closes the env. */
rlk_status rlk_set_buffers(int64_t handle, const rlk_buffers* buffers, int64_t num_envs, int64_t obs_size);

/** Starts a new episode in every env; all randomness now derives from `seed`. */
rlk_status rlk_reset(int64_t handle, uint64_t seed);
/** Starts a new episode in every env, env i's randomness from now on derived from seeds[i] and i alone: the same
 *  seeds give the same episodes whatever came before. seeds is [length], length must equal num_envs. */
rlk_status rlk_reset_seeds(int64_t handle, const uint64_t* seeds, int64_t length);
/** Starts a new episode where mask[i] != 0; mask is [length], length must equal num_envs. */
rlk_status rlk_reset_mask(int64_t handle, const uint8_t* mask, int64_t length);

/** One step with discrete actions [length] (int32 in [0, n)); length must equal num_envs. */
rlk_status rlk_step_discrete(int64_t handle, const int32_t* actions, int64_t length);
/** One step with continuous actions [length] (finite float32); length must equal num_envs. */
rlk_status rlk_step_continuous(int64_t handle, const float* actions, int64_t length);
/** `steps` steps with random actions from the library's counter RNG (benchmarking). */
rlk_status rlk_step_random(int64_t handle, int32_t steps);

/** Frees the env and its buffers. Closing a closed handle returns RLK_ERR_INVALID_HANDLE. */
rlk_status rlk_close(int64_t handle);

/**
 * Message of the last error on `handle` (0: errors with no valid handle), "" if none. The string is owned
 * by the library and valid until the next call on the same handle.
 */
const char* rlk_last_error(int64_t handle);

#ifdef __cplusplus
}
#endif

#endif /* RLKERNELS_H */
