namespace AiProgress.Benchmarks.Report;

/// <summary>
/// What a token cost the machine in a case: each process's CPU in the window per token written. In lockstep every
/// job's token comes at one instant, so a step is about that cost times the jobs, shared by the machine's cores: the
/// last of its tokens cannot reach a watcher much before the cores have done the step's work, however it is ordered.
/// An estimate, not a bound: the window's CPU also holds the case's start and end (first events, completions).
/// </summary>
internal sealed record StepCost(IReadOnlyDictionary<string, double> MicrosPerToken, int Jobs, int Cores)
{
    /// <summary>The measuring instruments: the watchers' process and the process that runs the scripted server.</summary>
    private static readonly string[] Instruments = ["loadgen", "scripted ollama + benchmark"];

    /// <summary>MariaDB's row writes come at each job's own moment in the write interval, not with the step: left out of it.</summary>
    private const string OffStep = "mariadb";

    public static StepCost Of(IReadOnlyDictionary<string, double> cpuPercent, double seconds, long tokensWritten, int jobs, int cores) =>
        new(cpuPercent.ToDictionary(p => p.Key, p => p.Value / 100 * seconds * 1e6 / Math.Max(1, tokensWritten)), jobs, cores);

    /// <summary>CPU µs per token of each process that works with the step.</summary>
    private IEnumerable<KeyValuePair<string, double>> OnStep => MicrosPerToken.Where(p => p.Key != OffStep);

    public double StepMicros => OnStep.Sum(p => p.Value);

    public double InstrumentMicros => MicrosPerToken.Where(p => Instruments.Contains(p.Key)).Sum(p => p.Value);

    /// <summary>A step's CPU, all its processes together, in ms.</summary>
    public double StepCpuMs => Jobs * StepMicros / 1000;

    /// <summary>A step's work spread over every core, in ms: about when its last token can be out at the earliest.</summary>
    public double OverCoresMs => StepCpuMs / Cores;

    /// <summary>CPU µs per token a step may cost, all processes but MariaDB together, for its last token to be out within <paramref name="boundMs"/>.</summary>
    public double AllowedMicros(double boundMs) => boundMs * 1000 * Cores / Jobs;

    /// <summary>The CPU per token by process, the step's processes first (most first), then MariaDB's.</summary>
    public string PerToken =>
        $"each token cost {StepMicros:F0} µs of CPU across the processes that work with the step (" +
        string.Join(", ", OnStep.OrderByDescending(p => p.Value).Select(p => $"{p.Key} {p.Value:F0}")) +
        $"; MariaDB's row writes, {MicrosPerToken.GetValueOrDefault(OffStep):F0} µs, fall between steps)";

    /// <summary>The cost per token, and what it makes of a lockstep step against <paramref name="boundMs"/>.</summary>
    public string Describe(double boundMs) =>
        $"{PerToken}, so a step of {Jobs:N0} jobs is about {StepCpuMs:F0} CPU-ms: {OverCoresMs:F0} ms on {Cores} cores before its last " +
        $"token can be out (an estimate: the window also holds the case's start and end); {boundMs:F0} ms allows " +
        $"{AllowedMicros(boundMs):F0} µs a token, and the instruments alone (load generator and scripted server) take {InstrumentMicros:F0}";
}
