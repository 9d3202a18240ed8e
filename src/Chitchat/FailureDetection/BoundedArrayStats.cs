namespace Chitchat.FailureDetection;

/// <summary>
/// Keeps the last <see cref="Capacity"/> values of a stream in a fixed ring buffer, with their running sum.
/// </summary>
/// <remarks>
/// Port of chitchat <c>failure_detector.rs</c> <c>BoundedArrayStats</c>. The buffer starts at
/// <see cref="InitialLength"/> values and doubles as values arrive, up to <see cref="Capacity"/> (Rust allocates
/// the whole window at once): a member heard of a few times, or a node that just joined, costs 128 bytes rather
/// than 8 KB per observer. Once the window is full, <see cref="Append"/> and <see cref="Clear"/> never allocate.
/// The sum is maintained incrementally (subtract the evicted value, add the new one), exactly as the Rust crate
/// does, so phi values match it bit for bit even after floating-point drift. Not thread-safe.
/// </remarks>
internal sealed class BoundedArrayStats
{
    /// <summary>The number of values the buffer starts with.</summary>
    internal const int InitialLength = 16;

    private readonly int _capacity;
    private double[] _values;
    private int _index;

    /// <summary>Creates an empty instance that keeps at most <paramref name="capacity"/> values.</summary>
    /// <param name="capacity">The number of values kept; at least 1.</param>
    public BoundedArrayStats(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
        _values = new double[Math.Min(capacity, InitialLength)];
    }

    /// <summary>Gets the maximum number of values kept.</summary>
    public int Capacity => _capacity;

    /// <summary>Gets the number of values the buffer has room for now (it grows up to <see cref="Capacity"/>).</summary>
    internal int AllocatedLength => _values.Length;

    /// <summary>Gets whether the buffer has wrapped, i.e. holds <see cref="Capacity"/> values.</summary>
    public bool IsFilled { get; private set; }

    /// <summary>Gets the number of values kept.</summary>
    public int Length => IsFilled ? _capacity : _index;

    /// <summary>Gets the running sum of the values kept.</summary>
    public double Sum { get; private set; }

    /// <summary>Appends a value, evicting the oldest one when the buffer is full.</summary>
    /// <param name="value">The value.</param>
    public void Append(double value)
    {
        if (IsFilled)
        {
            Sum -= _values[_index];
        }
        else if (_index == _values.Length)
        {
            // Before the first wrap values only append, so growing keeps them in place.
            Array.Resize(ref _values, Math.Min(_capacity, _values.Length * 2));
        }

        _values[_index] = value;
        Sum += value;
        if (_index == _capacity - 1)
        {
            IsFilled = true;
            _index = 0;
        }
        else
        {
            _index++;
        }
    }

    /// <summary>Forgets every value (the buffer is kept).</summary>
    public void Clear()
    {
        _index = 0;
        IsFilled = false;
        Sum = 0.0;
    }
}
