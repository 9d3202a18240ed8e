// The scenarios run in real time with timing bounds; running them one at a time keeps them from competing
// for the CPU (the bounds are generous, not performance assertions).
[assembly: CollectionBehavior(DisableTestParallelization = true)]
