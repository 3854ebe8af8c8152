using Community.ServiceDefaults.Errors;

namespace Community.ServiceDefaults.Blobs;

/// <summary>413: the upload is larger than the endpoint takes.</summary>
public sealed class PayloadTooLargeException(string message) : DomainException(message)
{
    public override int StatusCode => 413;
    public override string Title => "Payload too large";
}

/// <summary>415: the upload is not a type the endpoint takes.</summary>
public sealed class UnsupportedMediaTypeException(string message) : DomainException(message)
{
    public override int StatusCode => 415;
    public override string Title => "Unsupported media type";
}
