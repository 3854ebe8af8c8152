using System.Diagnostics;
using System.Net.Sockets;
using System.Security;
using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace Community.Messaging.Bench;

/// <summary>
/// A minimal XMPP client (RFC 6120 stream, SASL PLAIN, resource binding, XEP-0045 multi-user chat) over TCP with
/// System.Xml's XmlReader: no XMPP library for .NET is served by our NuGet feed. Enough for the peer benchmark, nothing
/// more (no TLS, no stream management, no reconnect).
/// </summary>
public sealed class XmppClient : IAsyncDisposable
{
    private const string SaslNamespace = "urn:ietf:params:xml:ns:xmpp-sasl";
    private static readonly XmlReaderSettings ReaderSettings = new()
    {
        Async = true,
        DtdProcessing = DtdProcessing.Prohibit,
        IgnoreWhitespace = true,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
    };

    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly SemaphoreSlim _writing = new(1, 1);
    private readonly string _domain;
    private XmlReader? _reader;
    private Task? _receiving;
    private TaskCompletionSource? _joined;

    private XmppClient(TcpClient tcp, string domain)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
        _domain = domain;
    }

    /// <summary>On the receive loop, for each groupchat message with a body: sender's nick, body, arrival.</summary>
    public Action<string, string, long>? GroupMessage { get; set; }

    /// <summary>Connects, authenticates with SASL PLAIN and binds a resource.</summary>
    public static async Task<XmppClient> ConnectAsync(
        int port,
        string domain,
        string user,
        string password,
        CancellationToken cancellationToken
    )
    {
        var tcp = new TcpClient { NoDelay = true };
        try
        {
            await tcp.ConnectAsync("127.0.0.1", port, cancellationToken);
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
        var client = new XmppClient(tcp, domain);
        try
        {
            var features = await client.OpenStreamAsync(cancellationToken);
            if (!features.Descendants().Any(e => e.Name.LocalName == "mechanism" && e.Value == "PLAIN"))
                throw new InvalidOperationException("the server offers no SASL PLAIN: " + features);
            var credentials = Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{user}\0{password}"));
            await client.WriteAsync(
                $"<auth xmlns='{SaslNamespace}' mechanism='PLAIN'>{credentials}</auth>",
                cancellationToken
            );
            var outcome = await client.NextAsync(cancellationToken);
            if (outcome?.Name != XName.Get("success", SaslNamespace))
                throw new InvalidOperationException($"login of {user} refused: {outcome}");
            await client.OpenStreamAsync(cancellationToken);
            await client.WriteAsync(
                "<iq type='set' id='bind'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>"
                    + "<resource>bench</resource></bind></iq>",
                cancellationToken
            );
            var bound = await client.NextAsync(cancellationToken);
            if (bound?.Name.LocalName != "iq" || (string?)bound.Attribute("type") != "result")
                throw new InvalidOperationException($"bind of {user} refused: {bound}");
            client._receiving = Task.Run(client.ReceiveAsync, CancellationToken.None);
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    /// <summary>Enters a room under a nick, without history; done when the server echoes our own presence.</summary>
    public async Task JoinAsync(string room, string nick, CancellationToken cancellationToken)
    {
        _joined = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await WriteAsync(
            $"<presence to='{Escape(room)}/{Escape(nick)}'><x xmlns='http://jabber.org/protocol/muc'>"
                + "<history maxstanzas='0'/></x></presence>",
            cancellationToken
        );
        await _joined.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Sends a groupchat message to a room.</summary>
    public Task SendGroupAsync(string room, string id, string body, CancellationToken cancellationToken) =>
        WriteAsync(
            $"<message to='{Escape(room)}' type='groupchat' id='{Escape(id)}'><body>{Escape(body)}</body></message>",
            cancellationToken
        );

    private async Task<XElement> OpenStreamAsync(CancellationToken cancellationToken)
    {
        // A restarted stream is a new XML document: the server sends nothing until our header, so no bytes are lost.
        await WriteAsync(
            $"<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
                + $"xmlns:stream='http://etherx.jabber.org/streams' to='{Escape(_domain)}' version='1.0'>",
            cancellationToken
        );
        _reader?.Dispose();
        _reader = XmlReader.Create(_stream, ReaderSettings);
        await _reader.MoveToContentAsync();
        if (_reader.LocalName != "stream")
            throw new InvalidOperationException($"expected a stream header, got <{_reader.Name}>");
        return await NextAsync(cancellationToken)
            ?? throw new InvalidOperationException("the server closed the stream before its features");
    }

    /// <summary>The next top-level element of the stream, or null at its end; never reads past that element.</summary>
    private async Task<XElement?> NextAsync(CancellationToken cancellationToken)
    {
        var reader = _reader!;
        while (await reader.ReadAsync().WaitAsync(cancellationToken))
        {
            if (reader.NodeType == XmlNodeType.Element)
            {
                using var subtree = reader.ReadSubtree();
                await subtree.ReadAsync();
                var element = await XElement.LoadAsync(subtree, LoadOptions.None, cancellationToken);
                if (
                    element.Name.LocalName == "error"
                    && element.Name.NamespaceName.Contains("streams", StringComparison.Ordinal)
                )
                    throw new InvalidOperationException("stream error: " + element);
                return element;
            }
            if (reader.NodeType == XmlNodeType.EndElement && reader.Depth == 0)
                return null;
        }
        return null;
    }

    private async Task ReceiveAsync()
    {
        try
        {
            while (await NextAsync(CancellationToken.None) is { } stanza)
            {
                var at = Stopwatch.GetTimestamp();
                switch (stanza.Name.LocalName)
                {
                    case "message" when (string?)stanza.Attribute("type") == "groupchat":
                        var body = stanza.Elements().FirstOrDefault(e => e.Name.LocalName == "body");
                        var from = (string?)stanza.Attribute("from") ?? "";
                        if (body is not null)
                            GroupMessage?.Invoke(
                                from[(from.IndexOf('/', StringComparison.Ordinal) + 1)..],
                                body.Value,
                                at
                            );
                        break;
                    case "presence":
                        // Status 110: this presence is our own, the last of the join (XEP-0045 7.2.2).
                        if (
                            stanza
                                .Descendants()
                                .Any(e => e.Name.LocalName == "status" && (string?)e.Attribute("code") == "110")
                        )
                            _joined?.TrySetResult();
                        else if ((string?)stanza.Attribute("type") == "error")
                            _joined?.TrySetException(new InvalidOperationException("join refused: " + stanza));
                        break;
                }
            }
        }
        catch (Exception e) when (e is IOException or XmlException or ObjectDisposedException or SocketException)
        {
            // The connection closed (at the end, or under us: the run counts what never arrived).
        }
        finally
        {
            _joined?.TrySetException(new InvalidOperationException("the stream ended"));
        }
    }

    private async Task WriteAsync(string xml, CancellationToken cancellationToken)
    {
        var bytes = Encoding.UTF8.GetBytes(xml);
        await _writing.WaitAsync(cancellationToken);
        try
        {
            await _stream.WriteAsync(bytes, cancellationToken);
        }
        finally
        {
            _writing.Release();
        }
    }

    private static string Escape(string text) => SecurityElement.Escape(text);

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_tcp.Connected)
            {
                using var quickly = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await WriteAsync("</stream:stream>", quickly.Token);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // Closing anyway.
        }
        // Closing the socket ends the receive loop's pending read; only then is the reader free to dispose.
        _tcp.Dispose();
        if (_receiving is not null)
            await _receiving;
        _reader?.Dispose();
        _writing.Dispose();
    }
}
