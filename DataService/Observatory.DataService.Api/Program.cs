using Observatory.DataService.Api;

DataServiceApp.Build(args).Run();
