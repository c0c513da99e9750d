using Observatory.Cli;

return await ObsCli.RunAsync(args);
