namespace Chitchat.FailureDetection;

/// <summary>
/// Keeps the last <see cref="Capacity"/> intervals of a stream in a ring buffer, with their running sum in seconds.
/// </summary>
/// <remarks>
/// <para>
/// Port of chitchat <c>failure_detector.rs</c> <c>BoundedArrayStats</c>. The buffer starts at
/// <see cref="InitialLength"/> values and doubles as values arrive, up to <see cref="Capacity"/> (Rust allocates
/// the whole window at once): a member heard of a few times, or a node that just joined, costs a few dozen bytes
/// rather than kilobytes per observer. Once the window is full, <see cref="Append"/> and <see cref="Clear"/> never
/// allocate.
/// </para>
/// <para>
/// Intervals are stored as 32-bit tick counts rather than as the 64-bit seconds Rust stores: a node keeps one window
/// per member, so this halves the largest per-member cost of a big cluster. The sum is still maintained exactly as
/// the Rust crate does (add the new value in seconds, subtract the evicted one), and the seconds of a stored interval
/// are recomputed from its ticks bit for bit, so phi values match the Rust crate's even after floating-point drift.
/// When the longest interval kept does not fit 32 bits of ticks (a maximum interval above about 214 s), intervals are
/// stored in units of a few ticks instead, and both the sum and the eviction use that rounded value.
/// </para>
/// <para>A mutable struct, held in a field of its owner and never copied. Not thread-safe.</para>
/// </remarks>
internal struct BoundedArrayStats
{
    /// <summary>The number of values the buffer starts with.</summary>
    internal const int InitialLength = 16;

    private readonly int _capacity;
    private readonly int _ticksPerUnit;
    private int[] _values;
    private int _index;
    private bool _isFilled;
    private double _sum;

    /// <summary>Creates an empty instance that keeps at most <paramref name="capacity"/> intervals.</summary>
    /// <param name="capacity">The number of intervals kept; at least 1.</param>
    /// <param name="maxValue">The longest interval that will be appended.</param>
    public BoundedArrayStats(int capacity, TimeSpan maxValue)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(maxValue.Ticks, nameof(maxValue));
        _capacity = capacity;
        _ticksPerUnit = (int)Math.Max(1, (maxValue.Ticks + int.MaxValue - 1) / int.MaxValue);
        _values = new int[Math.Min(capacity, InitialLength)];
    }

    /// <summary>Gets the maximum number of intervals kept.</summary>
    public readonly int Capacity => _capacity;

    /// <summary>Gets the number of intervals the buffer has room for now (it grows up to <see cref="Capacity"/>).</summary>
    internal readonly int AllocatedLength => _values.Length;

    /// <summary>Gets whether the buffer has wrapped, i.e. holds <see cref="Capacity"/> intervals.</summary>
    public readonly bool IsFilled => _isFilled;

    /// <summary>Gets the number of intervals kept.</summary>
    public readonly int Length => _isFilled ? _capacity : _index;

    /// <summary>Gets the running sum of the intervals kept, in seconds.</summary>
    public readonly double Sum => _sum;

    /// <summary>Appends an interval, evicting the oldest one when the buffer is full.</summary>
    /// <param name="interval">A non-negative interval no longer than the maximum given at construction.</param>
    public void Append(TimeSpan interval)
    {
        var units = (int)(interval.Ticks / _ticksPerUnit);
        if (_isFilled)
        {
            _sum -= Seconds(_values[_index]);
        }
        else if (_index == _values.Length)
        {
            // Before the first wrap values only append, so growing keeps them in place.
            Array.Resize(ref _values, Math.Min(_capacity, _values.Length * 2));
        }

        _values[_index] = units;
        _sum += Seconds(units);
        if (_index == _capacity - 1)
        {
            _isFilled = true;
            _index = 0;
        }
        else
        {
            _index++;
        }
    }

    /// <summary>Forgets every interval (the buffer is kept).</summary>
    public void Clear()
    {
        _index = 0;
        _isFilled = false;
        _sum = 0.0;
    }

    private readonly double Seconds(int units) => SamplingWindow.ToSecondsF64(TimeSpan.FromTicks((long)units * _ticksPerUnit));
}
