using Observatory.Dashboard;
using Observatory.Dashboard.Security;

// `hash-password`: the salted PBKDF2 hash for Dashboard:Users:N:PasswordHash, from a password on standard input (so it never
// lands in the shell's history or the process list).
if (args is ["hash-password"])
{
    var password = Console.In.ReadLine();
    if (string.IsNullOrEmpty(password))
    {
        Console.Error.WriteLine("hash-password: give the password on standard input, e.g. `read -rs p; printf '%s\\n' \"$p\" | dotnet Observatory.Dashboard.dll hash-password`");
        return 2;
    }
    Console.WriteLine(LoginPolicy.Hash(password));
    return 0;
}

DashboardApp.Build(args).Run();
return 0;
