/*
 * random_agent.c: steps a batch of envs with random actions through librlkernels.so and prints the mean
 * episode return. Build and run (after `dotnet publish src/Native -c Release`):
 *   cc -O2 -Iinclude examples/c/random_agent.c -Lpython/rlkernels/native -lrlkernels \
 *      -Wl,-rpath,python/rlkernels/native -o random_agent && ./random_agent CartPole-v1 64 500
 */
#include <stdio.h>
#include <stdlib.h>

#include "rlkernels.h"

static int check(rlk_status s, int64_t handle, const char* what) {
    if (s != RLK_OK) fprintf(stderr, "%s failed (%d): %s\n", what, (int)s, rlk_last_error(handle));
    return s == RLK_OK;
}

int main(int argc, char** argv) {
    const char* env_id = argc > 1 ? argv[1] : "CartPole-v1";
    int num_envs = argc > 2 ? atoi(argv[2]) : 64;
    int steps = argc > 3 ? atoi(argv[3]) : 500;

    const char* version = rlk_version();
    if (!version) {
        fprintf(stderr, "cannot load RlKernels: %s\n", rlk_last_error(0));
        return 3;
    }
    int64_t env = 0;
    if (!check(rlk_create(env_id, NULL, 0, num_envs, 42, "cpu", "next_step", "float32", 0, &env), 0, "rlk_create"))
        return 2;
    rlk_spaces spaces;
    rlk_buffers buf;
    if (!check(rlk_get_spaces(env, &spaces), env, "rlk_get_spaces") || !check(rlk_get_buffers(env, &buf), env, "rlk_get_buffers"))
        return 3;

    int32_t* discrete = malloc(sizeof(int32_t) * (size_t)num_envs);
    float* continuous = malloc(sizeof(float) * (size_t)num_envs);
    srand(1);
    double return_sum = 0;
    long episodes = 0;
    for (int t = 0; t < steps; t++) {
        rlk_status s;
        if (spaces.action_discrete) {
            for (int i = 0; i < num_envs; i++) discrete[i] = rand() % spaces.action_n;
            s = rlk_step_discrete(env, discrete, num_envs);
        } else {
            for (int i = 0; i < num_envs; i++)
                continuous[i] = spaces.action_low + (spaces.action_high - spaces.action_low) * (float)rand() / (float)RAND_MAX;
            s = rlk_step_continuous(env, continuous, num_envs);
        }
        if (!check(s, env, "rlk_step")) return 3;
        for (int i = 0; i < num_envs; i++)
            if (buf.terminated[i] || buf.truncated[i]) {
                return_sum += buf.episode_returns[i];
                episodes++;
            }
    }
    /* A rejected call leaves the env usable: an out-of-range action is an error code with a message. */
    if (spaces.action_discrete) {
        discrete[0] = spaces.action_n;
        if (rlk_step_discrete(env, discrete, num_envs) != RLK_ERR_INVALID_ACTION) return 1;
        printf("rejected action: %s\n", rlk_last_error(env));
    }
    printf("rlkernels %s %s envs=%d obs_size=%d steps=%d episodes=%ld mean_return=%.3f obs0=%.6f\n", version, env_id,
           spaces.num_envs, spaces.obs_size, steps, episodes, episodes ? return_sum / episodes : 0.0, buf.observations[0]);
    free(discrete);
    free(continuous);
    if (!check(rlk_close(env), env, "rlk_close")) return 3;
    if (rlk_close(env) != RLK_ERR_INVALID_HANDLE) return 1;
    return 0;
}
