using Observatory.Dashboard;

DashboardApp.Build(args).Run();
