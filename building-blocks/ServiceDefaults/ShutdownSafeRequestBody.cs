using System.IO.Pipelines;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.Features;

namespace Community.ServiceDefaults;

/// <summary>
/// Lets a request whose body is still arriving when the host stops finish, as the other in-flight requests do.
/// On SIGTERM Kestrel wakes every connection's reader (CancelPendingRead) so idle ones can close; a JSON body read
/// through the request's PipeReader that had examined more than it consumed (System.Text.Json waiting for the rest of
/// the document) then gets that canceled read, and the request failed with a 500 (dotnet/aspnetcore#19476). Here
/// such a read is handed back as an ordinary one; a cancellation the application asked for still cancels.
/// </summary>
internal static class ShutdownSafeRequestBody
{
    public static IApplicationBuilder UseShutdownSafeRequestBody(this IApplicationBuilder app) => app.Use(WrapBody);

    private static Task WrapBody(HttpContext context, RequestDelegate next)
    {
        if (
            context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true
            && context.Features.Get<IRequestBodyPipeFeature>() is { } body
        )
        {
            context.Features.Set<IRequestBodyPipeFeature>(new Feature(body));
        }
        return next(context);
    }

    // Kestrel's reader changes when a middleware replaces the body stream: wrapped as it is asked for.
    private sealed class Feature(IRequestBodyPipeFeature server) : IRequestBodyPipeFeature
    {
        private Reader? _reader;

        public PipeReader Reader
        {
            get
            {
                var current = server.Reader;
                if (_reader is null || !ReferenceEquals(_reader.Inner, current))
                    _reader = new Reader(current);
                return _reader;
            }
        }
    }

    private sealed class Reader(PipeReader inner) : PipeReader
    {
        private int _canceledHere;

        public PipeReader Inner => inner;

        public override async ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default) =>
            Uncanceled(await inner.ReadAsync(cancellationToken));

        public override bool TryRead(out ReadResult result)
        {
            var read = inner.TryRead(out result);
            if (read)
                result = Uncanceled(result);
            return read;
        }

        // The same data again, not canceled: the reader finds it incomplete and waits for the rest as before.
        private ReadResult Uncanceled(ReadResult result) =>
            result.IsCanceled && Interlocked.Exchange(ref _canceledHere, 0) == 0
                ? new ReadResult(result.Buffer, isCanceled: false, result.IsCompleted)
                : result;

        public override void CancelPendingRead()
        {
            Interlocked.Exchange(ref _canceledHere, 1);
            inner.CancelPendingRead();
        }

        public override void AdvanceTo(SequencePosition consumed) => inner.AdvanceTo(consumed);

        public override void AdvanceTo(SequencePosition consumed, SequencePosition examined) =>
            inner.AdvanceTo(consumed, examined);

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);
    }
}
