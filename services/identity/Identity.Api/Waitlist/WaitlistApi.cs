using Community.Identity.Data;
using Community.Identity.Users;
using Community.ServiceDefaults.Errors;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Community.ServiceDefaults.Api;

namespace Community.Identity.Waitlist;

public sealed record JoinWaitlistRequest(string? Email, string? Source);
public sealed record WaitlistJoined(string Message, long WaitlistPosition);
public sealed record WaitlistStatus(string Email, long WaitlistPosition, DateTimeOffset JoinedAt);

public static class WaitlistApi
{
    public static RouteGroupBuilder MapWaitlistApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/waitlist").WithTags("Waitlist").AllowAnonymous().WithStandardProblems();
        group.MapPost("", Join).WithName("JoinWaitlist").WithSummary("Join the launch waitlist (joining twice keeps the first place)");
        group.MapGet("/status", Status).WithName("WaitlistStatus").WithSummary("Place of an e-mail on the waitlist");
        return group;
    }

    private static async Task<Results<Created<WaitlistJoined>, Ok<WaitlistJoined>>> Join(
        JoinWaitlistRequest request, IdentityDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (errors.Required("email", request.Email)) errors.Email("email", request.Email);
        errors.MaxLength("source", request.Source, 100);
        errors.ThrowIfAny();

        var email = Rules.NormalizeEmail(request.Email!);
        var inserted = await db.Database.ExecuteSqlAsync(
            $"INSERT INTO waitlist_entries (email, source, created_at) VALUES ({email}, {request.Source?.Trim()}, {clock.GetUtcNow()}) ON CONFLICT (email) DO NOTHING",
            cancellationToken);
        var position = await PositionAsync(db, email, cancellationToken) ?? throw new InvalidOperationException("Waitlist entry vanished.");
        if (inserted == 0) return TypedResults.Ok(new WaitlistJoined("You are already on the waitlist.", position.Position));
        return TypedResults.Created($"/api/v1/waitlist/status?email={Uri.EscapeDataString(email)}",
            new WaitlistJoined("Successfully joined the waitlist!", position.Position));
    }

    private static async Task<Ok<WaitlistStatus>> Status(string? email, IdentityDbContext db, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (errors.Required("email", email)) errors.Email("email", email);
        errors.ThrowIfAny();

        var normalized = Rules.NormalizeEmail(email!);
        var entry = await PositionAsync(db, normalized, cancellationToken) ?? throw new NotFoundException("This e-mail is not on the waitlist.");
        return TypedResults.Ok(new WaitlistStatus(normalized, entry.Position, entry.JoinedAt));
    }

    // Places are ranks, not raw sequence numbers, so the gaps a sequence leaves never show.
    private static async Task<(long Position, DateTimeOffset JoinedAt)?> PositionAsync(IdentityDbContext db, string email, CancellationToken cancellationToken)
    {
        var entry = await db.WaitlistEntries.AsNoTracking().FirstOrDefaultAsync(w => w.Email == email, cancellationToken);
        if (entry is null) return null;
        var position = await db.WaitlistEntries.LongCountAsync(w => w.Sequence <= entry.Sequence, cancellationToken);
        return (position, entry.CreatedAt);
    }
}
