// Every scenario runs several node processes in real time: one scenario at a time keeps them from competing for
// the CPU (the time bounds are generous; they are not performance assertions).
[assembly: CollectionBehavior(DisableTestParallelization = true)]
