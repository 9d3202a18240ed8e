using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Chitchat.Extensions.Hosting.Tests;

/// <summary>What <c>MapChitchatDashboard</c> refuses when the application is mapped.</summary>
public sealed class DashboardMappingTests
{
    [Fact]
    public async Task MapChitchatDashboard_WithoutAddChitchat_ThrowsAClearError()
    {
        await using var app = WebApplication.CreateSlimBuilder().Build();

        var map = () => app.MapChitchatDashboard();

        map.Should().Throw<InvalidOperationException>().WithMessage("*AddChitchat*");
    }

    [Theory]
    [InlineData(0, 16, 500)]
    [InlineData(1000, 0, 500)]
    [InlineData(1000, 16, -1)]
    public async Task MapChitchatDashboard_OptionOutOfRange_Throws(int refreshMs, int maxLiveViews, int maxKeysPerPage)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddChitchat(options => options.NodeId = "n");
        await using var app = builder.Build();

        var map = () => app.MapChitchatDashboard("/chitchat", options =>
        {
            options.RefreshPeriod = TimeSpan.FromMilliseconds(refreshMs);
            options.MaxLiveViews = maxLiveViews;
            options.MaxKeysPerPage = maxKeysPerPage;
        });

        map.Should().Throw<ArgumentOutOfRangeException>();
    }
}
