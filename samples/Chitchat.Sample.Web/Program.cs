using Chitchat.Sample.Web;

await SampleApp.Build(args).RunAsync();
