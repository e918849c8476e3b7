/*
 * dump_trajectories.c: the C side of CExampleTests' same-trajectory check. For every id the library lists, in both
 * precisions, writes the observations of a fixed seed and action formula (python/tests/dump_trajectories.py's)
 * as raw float32 files OUT_DIR/ENV-PRECISION.f32 ([steps + 1, num_envs, obs_size]), and the ids to OUT_DIR/ids.txt.
 * The observations written are a caller-owned copy (rlk_set_buffers), checked equal to the library-owned ones.
 * Usage: dump_trajectories OUT_DIR NUM_ENVS STEPS SEED
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rlkernels.h"

static int fail(int64_t handle, const char* what) {
    fprintf(stderr, "%s failed: %s\n", what, rlk_last_error(handle));
    return 3;
}

static int dump(const char* out, const char* id, const char* precision, int n, int steps, int seed) {
    int64_t env = 0;
    if (rlk_create(id, NULL, 0, n, (uint64_t)seed, "cpu", "next_step", precision, 0, &env) != RLK_OK) return fail(0, "rlk_create");
    rlk_spaces sp;
    rlk_buffers buf;
    if (rlk_get_spaces(env, &sp) != RLK_OK || rlk_get_buffers(env, &buf) != RLK_OK) return fail(env, "rlk_get_spaces/buffers");
    if (rlk_reset(env, (uint64_t)seed) != RLK_OK) return fail(env, "rlk_reset");
    char path[4096];
    snprintf(path, sizeof path, "%s/%s-%s.f32", out, id, precision);
    FILE* f = fopen(path, "wb");
    if (!f) return 3;
    size_t row = (size_t)n * (size_t)sp.obs_size;
    /* Caller-owned observations too (rlk_set_buffers): what is written is the caller's copy, checked against ours. */
    float* mine = malloc(sizeof(float) * row);
    rlk_buffers wanted = {0};
    wanted.observations = mine;
    if (rlk_set_buffers(env, &wanted, n, sp.obs_size) != RLK_OK) return fail(env, "rlk_set_buffers");
    if (memcmp(mine, buf.observations, sizeof(float) * row) != 0) return fail(env, "caller-owned observations after reset");
    fwrite(mine, sizeof(float), row, f);
    int32_t* discrete = malloc(sizeof(int32_t) * (size_t)n);
    float* continuous = malloc(sizeof(float) * (size_t)n);
    for (int t = 0; t < steps; t++) {
        rlk_status s;
        if (sp.action_discrete) {
            for (int i = 0; i < n; i++) discrete[i] = (i * 7 + t * 3) % sp.action_n;
            s = rlk_step_discrete(env, discrete, n);
        } else {
            for (int i = 0; i < n; i++)
                continuous[i] = (float)((double)sp.action_low +
                                        ((double)sp.action_high - (double)sp.action_low) * ((i * 7 + t * 3) % 11) / 10.0);
            s = rlk_step_continuous(env, continuous, n);
        }
        if (s != RLK_OK) return fail(env, "rlk_step");
        if (memcmp(mine, buf.observations, sizeof(float) * row) != 0) return fail(env, "caller-owned observations after a step");
        fwrite(mine, sizeof(float), row, f);
    }
    free(discrete);
    free(continuous);
    free(mine);
    fclose(f);
    return rlk_close(env) == RLK_OK ? 0 : fail(env, "rlk_close");
}

int main(int argc, char** argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: dump_trajectories OUT_DIR NUM_ENVS STEPS SEED\n");
        return 2;
    }
    const char* out = argv[1];
    int n = atoi(argv[2]), steps = atoi(argv[3]), seed = atoi(argv[4]);
    int32_t count = rlk_list_envs(NULL, 0);
    if (count < 0) return fail(0, "rlk_list_envs");
    const char** ids = malloc(sizeof(const char*) * (size_t)count);
    rlk_list_envs(ids, count);
    char path[4096];
    snprintf(path, sizeof path, "%s/ids.txt", out);
    FILE* list = fopen(path, "w");
    if (!list) return 3;
    for (int k = 0; k < count; k++) fprintf(list, "%s\n", ids[k]);
    fclose(list);
    for (int k = 0; k < count; k++) {
        int rc = dump(out, ids[k], "float32", n, steps, seed);
        if (!rc) rc = dump(out, ids[k], "float64", n, steps, seed);
        if (rc) return rc;
    }
    free(ids);
    return 0;
}
