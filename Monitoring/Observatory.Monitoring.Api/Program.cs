var app = Observatory.Monitoring.Api.MonitoringHost.Build(args);
app.Run();

public partial class Program;
