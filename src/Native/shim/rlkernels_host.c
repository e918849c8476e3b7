/*
 * librlkernels.so: the C ABI of include/rlkernels.h. A thin host: on the first call it finds hostfxr through
 * nethost, starts the .NET runtime for RlKernels.Native.dll (next to this library) and resolves each
 * [UnmanagedCallersOnly] entry point of RlKernels.Native.NativeApi. Hosting the runtime (rather than a
 * NativeAOT build) keeps the JIT's per-machine SIMD width and the ILGPU GPU backend.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <coreclr_delegates.h>
#include <hostfxr.h>
#include <nethost.h>

#include "rlkernels.h"

#define API_TYPE "RlKernels.Native.NativeApi, RlKernels.Native"

typedef const char* (*version_fn)(void);
typedef int32_t (*list_fn)(const char**, int32_t);
typedef int32_t (*create_fn)(const char*, const char* const*, int32_t, int32_t, uint64_t, const char*, const char*,
                             const char*, int32_t, int64_t*);
typedef int32_t (*spaces_fn)(int64_t, rlk_spaces*);
typedef int32_t (*bounds_fn)(int64_t, float*, float*, int32_t);
typedef int32_t (*buffers_fn)(int64_t, rlk_buffers*);
typedef int32_t (*set_buffers_fn)(int64_t, const rlk_buffers*, int64_t, int64_t);
typedef int32_t (*reset_fn)(int64_t, uint64_t);
typedef int32_t (*reset_mask_fn)(int64_t, const uint8_t*, int64_t);
typedef int32_t (*reset_seeds_fn)(int64_t, const uint64_t*, int64_t);
typedef int32_t (*step_d_fn)(int64_t, const int32_t*, int64_t);
typedef int32_t (*step_c_fn)(int64_t, const float*, int64_t);
typedef int32_t (*step_r_fn)(int64_t, int32_t);
typedef int32_t (*close_fn)(int64_t);
typedef const char* (*error_fn)(int64_t);

static struct {
    version_fn version;
    list_fn list_envs;
    create_fn create;
    spaces_fn spaces;
    bounds_fn bounds;
    buffers_fn buffers;
    set_buffers_fn set_buffers;
    reset_fn reset;
    reset_mask_fn reset_mask;
    reset_seeds_fn reset_seeds;
    step_d_fn step_d;
    step_c_fn step_c;
    step_r_fn step_r;
    close_fn close;
    error_fn error;
} api;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int loaded; /* 1 once every entry point resolved */
static char host_error[PATH_MAX + 256];

static void load(void) {
    Dl_info info;
    if (!dladdr((void*)&load, &info) || !info.dli_fname) {
        snprintf(host_error, sizeof host_error, "cannot find the path of librlkernels.so");
        return;
    }
    char dir[PATH_MAX - 64];
    snprintf(dir, sizeof dir, "%s", info.dli_fname);
    char* slash = strrchr(dir, '/');
    if (slash) *slash = '\0'; else snprintf(dir, sizeof dir, ".");
    char assembly[PATH_MAX], config[PATH_MAX];
    snprintf(assembly, sizeof assembly, "%s/RlKernels.Native.dll", dir);
    snprintf(config, sizeof config, "%s/RlKernels.Native.runtimeconfig.json", dir);

    char fxr_path[PATH_MAX];
    size_t size = sizeof fxr_path;
    struct get_hostfxr_parameters params = {sizeof params, assembly, NULL};
    int rc = get_hostfxr_path(fxr_path, &size, &params);
    if (rc != 0) {
        snprintf(host_error, sizeof host_error, "hostfxr not found (0x%x): install the .NET 10 runtime or set DOTNET_ROOT", rc);
        return;
    }
    void* fxr = dlopen(fxr_path, RTLD_NOW | RTLD_LOCAL);
    if (!fxr) {
        snprintf(host_error, sizeof host_error, "cannot load %s: %s", fxr_path, dlerror());
        return;
    }
    hostfxr_initialize_for_runtime_config_fn init =
        (hostfxr_initialize_for_runtime_config_fn)dlsym(fxr, "hostfxr_initialize_for_runtime_config");
    hostfxr_get_runtime_delegate_fn get_delegate = (hostfxr_get_runtime_delegate_fn)dlsym(fxr, "hostfxr_get_runtime_delegate");
    hostfxr_close_fn close_fxr = (hostfxr_close_fn)dlsym(fxr, "hostfxr_close");
    if (!init || !get_delegate || !close_fxr) {
        snprintf(host_error, sizeof host_error, "%s lacks the hosting exports", fxr_path);
        return;
    }
    hostfxr_handle ctx = NULL;
    rc = init(config, NULL, &ctx);
    /* 0: started; 1: the runtime was already running in this process (compatible); 2: config differs. */
    if ((rc != 0 && rc != 1 && rc != 2) || !ctx) {
        snprintf(host_error, sizeof host_error, "cannot start the .NET runtime from %s (0x%x)", config, rc);
        if (ctx) close_fxr(ctx);
        return;
    }
    load_assembly_and_get_function_pointer_fn get_fn = NULL;
    rc = get_delegate(ctx, hdt_load_assembly_and_get_function_pointer, (void**)&get_fn);
    close_fxr(ctx);
    if (rc != 0 || !get_fn) {
        snprintf(host_error, sizeof host_error, "cannot get the runtime's load delegate (0x%x)", rc);
        return;
    }
#define RESOLVE(field, name)                                                                              \
    rc = get_fn(assembly, API_TYPE, name, UNMANAGEDCALLERSONLY_METHOD, NULL, (void**)&api.field);         \
    if (rc != 0 || !api.field) {                                                                          \
        snprintf(host_error, sizeof host_error, "cannot resolve %s in %s (0x%x)", name, assembly, rc);    \
        return;                                                                                           \
    }
    RESOLVE(version, "GetVersion")
    RESOLVE(list_envs, "ListEnvs")
    RESOLVE(create, "Create")
    RESOLVE(spaces, "GetSpaces")
    RESOLVE(bounds, "GetObsBounds")
    RESOLVE(buffers, "GetBuffers")
    RESOLVE(set_buffers, "SetBuffers")
    RESOLVE(reset, "Reset")
    RESOLVE(reset_mask, "ResetMask")
    RESOLVE(reset_seeds, "ResetSeeds")
    RESOLVE(step_d, "StepDiscrete")
    RESOLVE(step_c, "StepContinuous")
    RESOLVE(step_r, "StepRandom")
    RESOLVE(close, "Close")
    RESOLVE(error, "LastError")
#undef RESOLVE
    loaded = 1;
}

static int ready(void) {
    pthread_once(&once, load);
    return loaded;
}

const char* rlk_version(void) { return ready() ? api.version() : NULL; }

int32_t rlk_list_envs(const char** ids, int32_t capacity) { return ready() ? api.list_envs(ids, capacity) : -1; }

rlk_status rlk_create(const char* env_id, const char* const* env_args, int32_t n_args, int32_t num_envs, uint64_t seed,
                      const char* backend, const char* autoreset, const char* precision, int32_t threads,
                      int64_t* out_handle) {
    if (!ready()) return RLK_ERR_HOST;
    return (rlk_status)api.create(env_id, env_args, n_args, num_envs, seed, backend, autoreset, precision, threads,
                                  out_handle);
}

rlk_status rlk_get_spaces(int64_t h, rlk_spaces* out) { return ready() ? (rlk_status)api.spaces(h, out) : RLK_ERR_HOST; }

rlk_status rlk_get_obs_bounds(int64_t h, float* low, float* high, int32_t length) {
    return ready() ? (rlk_status)api.bounds(h, low, high, length) : RLK_ERR_HOST;
}

rlk_status rlk_get_buffers(int64_t h, rlk_buffers* out) { return ready() ? (rlk_status)api.buffers(h, out) : RLK_ERR_HOST; }
rlk_status rlk_set_buffers(int64_t h, const rlk_buffers* buffers, int64_t num_envs, int64_t obs_size) {
    return ready() ? (rlk_status)api.set_buffers(h, buffers, num_envs, obs_size) : RLK_ERR_HOST;
}

rlk_status rlk_reset(int64_t h, uint64_t seed) { return ready() ? (rlk_status)api.reset(h, seed) : RLK_ERR_HOST; }

rlk_status rlk_reset_seeds(int64_t h, const uint64_t* seeds, int64_t length) {
    return ready() ? (rlk_status)api.reset_seeds(h, seeds, length) : RLK_ERR_HOST;
}
rlk_status rlk_reset_mask(int64_t h, const uint8_t* mask, int64_t length) {
    return ready() ? (rlk_status)api.reset_mask(h, mask, length) : RLK_ERR_HOST;
}

rlk_status rlk_step_discrete(int64_t h, const int32_t* actions, int64_t length) {
    return ready() ? (rlk_status)api.step_d(h, actions, length) : RLK_ERR_HOST;
}

rlk_status rlk_step_continuous(int64_t h, const float* actions, int64_t length) {
    return ready() ? (rlk_status)api.step_c(h, actions, length) : RLK_ERR_HOST;
}

rlk_status rlk_step_random(int64_t h, int32_t steps) { return ready() ? (rlk_status)api.step_r(h, steps) : RLK_ERR_HOST; }

rlk_status rlk_close(int64_t h) { return ready() ? (rlk_status)api.close(h) : RLK_ERR_HOST; }

const char* rlk_last_error(int64_t h) { return ready() ? api.error(h) : host_error; }
