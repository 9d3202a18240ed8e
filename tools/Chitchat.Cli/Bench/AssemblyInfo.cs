using System.Runtime.CompilerServices;

// The bench smoke tests call BenchRunner in process (tests/Chitchat.IntegrationTests/Bench).
[assembly: InternalsVisibleTo("Chitchat.IntegrationTests")]
