using ILGPU;

namespace RlKernels.Algorithms.Device;

/// <summary>
/// The device PPO update's working memory as views, passed by value to its kernels: the rollout's GAE
/// outputs and minibatch permutation [P, B], and one gathered minibatch [P, M, ...] with its gradients.
/// B = T·N samples per member, M = B / minibatches rows per member.
/// </summary>
public struct DevicePpoBatchViews
{
    /// <summary>GAE advantages, [P, B] (REINFORCE: 1 where the step's return is complete, else 0).</summary>
    public ArrayView<float> Advantages;
    /// <summary>λ-returns (the critic's targets), [P, B] (REINFORCE: the reward-to-go G).</summary>
    public ArrayView<float> Returns;
    /// <summary>This epoch's permutation of each member's samples, [P, B] (PPO and REINFORCE).</summary>
    public ArrayView<int> Permutation;
    /// <summary>The actor network's input for the minibatch, [P, M, obsSize].</summary>
    public ArrayView<float> ActorInput;
    /// <summary>The critic's input for the minibatch, [P, M, obsSize].</summary>
    public ArrayView<float> CriticInput;
    /// <summary>Minibatch actions, [P, M].</summary>
    public ArrayView<int> Actions;
    /// <summary>Minibatch log π_old, [P, M].</summary>
    public ArrayView<float> OldLogProbs;
    /// <summary>Minibatch advantages (normalized in place when configured), [P, M]. REINFORCE: the complete flags as gathered, then dLoss/dlog π.</summary>
    public ArrayView<float> MinibatchAdvantages;
    /// <summary>Minibatch λ-returns, [P, M].</summary>
    public ArrayView<float> MinibatchReturns;
    /// <summary>dLoss/dlogits of the actor, [P, M, actionCount].</summary>
    public ArrayView<float> DLogits;
    /// <summary>dLoss/dV of the critic, [P, M].</summary>
    public ArrayView<float> DValues;
    /// <summary>Each row's share of the actor loss, [P, M].</summary>
    public ArrayView<float> RowLoss;
    /// <summary>Each member's coefficients, [4, P]: rows <see cref="Gamma"/>, <see cref="Lambda"/>, <see cref="Clip"/>, <see cref="Entropy"/>.</summary>
    public ArrayView<float> Members;

    /// <summary>Rows of <see cref="Members"/>: discount γ, GAE λ, ratio clip ε, entropy weight c_H.</summary>
    public const int Gamma = 0, Lambda = 1, Clip = 2, Entropy = 3, MemberRows = 4;

    /// <summary>Member <paramref name="member"/>'s coefficient <paramref name="row"/> (one of the row constants).</summary>
    public readonly float Member(int row, int member) => Members[(long)row * (Members.Length / MemberRows) + member];
}

/// <summary>The PPO update kernels' scalar arguments (4-byte fields only).</summary>
public struct DevicePpoArgs
{
    /// <summary>Steps per rollout T.</summary>
    public int Steps;
    /// <summary>Envs per member N.</summary>
    public int EnvsPerMember;
    /// <summary>Rows per minibatch and member M.</summary>
    public int Rows;
    /// <summary>Observation width.</summary>
    public int ObsSize;
    /// <summary>Action classes.</summary>
    public int ActionCount;
    /// <summary>Weight of the value loss ½(V − G)².</summary>
    public float ValueCoef;
    /// <summary>The actor's loss: <see cref="A2cLoss"/>, <see cref="PpoLoss"/> or <see cref="ReinforceLoss"/>.</summary>
    public int Loss;
    /// <summary>1: minibatches are gathered through <see cref="DevicePpoBatchViews.Permutation"/> (PPO, REINFORCE); 0: the rollout in its order (A2C).</summary>
    public int Permuted;
    /// <summary>REINFORCE: 1 to subtract the critic's V (the baseline) from the returns.</summary>
    public int Baseline;
    /// <summary>REINFORCE: 1 to divide each minibatch's weights by their root mean square.</summary>
    public int ScaleWeights;

    /// <summary>Values of <see cref="Loss"/>: A2C's −A·log π; PPO's ratio-clipped surrogate; REINFORCE's −w·(G − b)·log π, its dLoss/dlog π given per row.</summary>
    public const int A2cLoss = 0, PpoLoss = 1, ReinforceLoss = 2;
}
