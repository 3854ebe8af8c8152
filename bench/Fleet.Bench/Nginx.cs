using System.Diagnostics;
using System.Net.Sockets;

namespace Community.Fleet.Bench;

/// <summary>
/// Debian's nginx as a plain reverse proxy in front of one upstream: keep-alive to the upstream (as YARP keeps its
/// connections), no access log (the gateway logs at Warning here too), its own prefix in a temporary folder.
/// </summary>
public sealed class Nginx : IAsyncDisposable
{
    private readonly Process _process;
    private readonly DirectoryInfo _prefix;

    public Uri BaseAddress { get; }

    private Nginx(Process process, DirectoryInfo prefix, Uri baseAddress) =>
        (_process, _prefix, BaseAddress) = (process, prefix, baseAddress);

    public static string? Binary() =>
        new[] { "/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/local/nginx/sbin/nginx" }.FirstOrDefault(File.Exists);

    public static async Task<Nginx> StartAsync(Uri upstream, int workers)
    {
        var binary =
            Binary()
            ?? throw new InvalidOperationException(
                "nginx is not installed: bench/run-gateway.sh installs Debian's nginx-light "
                    + "(apt-get install -y nginx-light)."
            );
        var prefix = Directory.CreateTempSubdirectory("community-nginx-bench-");
        var port = Community.Testing.ServiceHost<object>.FreePort();
        var p = prefix.FullName;
        var config = string.Create(
            CultureInfo.InvariantCulture,
            $$"""
            worker_processes {{workers}};
            daemon off;
            pid {{p}}/nginx.pid;
            error_log {{p}}/error.log warn;
            events { worker_connections 4096; }
            http {
                access_log off;
                client_body_temp_path {{p}}/body;
                proxy_temp_path {{p}}/proxy;
                fastcgi_temp_path {{p}}/fastcgi;
                uwsgi_temp_path {{p}}/uwsgi;
                scgi_temp_path {{p}}/scgi;
                upstream service {
                    server {{upstream.Host}}:{{upstream.Port}};
                    keepalive 256;
                }
                server {
                    listen 127.0.0.1:{{port}};
                    location / {
                        proxy_pass http://service;
                        proxy_http_version 1.1;
                        proxy_set_header Connection "";
                        proxy_set_header Host $host;
                        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                        proxy_set_header X-Forwarded-Proto $scheme;
                    }
                }
            }
            """
        );
        var file = Path.Combine(p, "nginx.conf");
        await File.WriteAllTextAsync(file, config);
        var start = new ProcessStartInfo(binary)
        {
            UseShellExecute = false,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        foreach (var a in new[] { "-p", p, "-c", file, "-e", Path.Combine(p, "error.log") })
            start.ArgumentList.Add(a);
        var process = Process.Start(start)!;
        var nginx = new Nginx(process, prefix, new Uri($"http://127.0.0.1:{port}/"));
        for (var i = 0; i < 100; i++)
        {
            if (process.HasExited)
                throw new InvalidOperationException(
                    $"nginx exited ({process.ExitCode}): {await process.StandardError.ReadToEndAsync()} {ErrorLog(p)}"
                );
            try
            {
                using var socket = new TcpClient();
                await socket.ConnectAsync("127.0.0.1", port);
                return nginx;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }
        await nginx.DisposeAsync();
        throw new InvalidOperationException("nginx did not listen within 5 s: " + ErrorLog(p));
    }

    /// <summary>CPU time of the master and its workers so far, from /proc (utime + stime).</summary>
    public TimeSpan CpuTime() => TimeSpan.FromSeconds(ProcessCpu.TreeSeconds(_process.Id));

    public static string Version()
    {
        var start = new ProcessStartInfo(Binary()!, "-v") { RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(start)!;
        var text = process.StandardError.ReadToEnd().Trim();
        process.WaitForExit();
        return text;
    }

    private static string ErrorLog(string prefix) =>
        File.Exists(Path.Combine(prefix, "error.log")) ? File.ReadAllText(Path.Combine(prefix, "error.log")) : "";

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // The master and its workers: the master's own id, then wait for it (it stops its workers on TERM).
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        try
        {
            _prefix.Delete(recursive: true);
        }
        catch (IOException)
        { /* a worker still closing a file: the temp folder is left behind */
        }
    }
}
