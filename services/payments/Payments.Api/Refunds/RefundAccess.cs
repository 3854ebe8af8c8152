using System.Security.Claims;
using Community.ServiceDefaults.Auth;

namespace Community.Payments.Refunds;

/// <summary>Who may refund a payment: the organizer who sold it, or an admin.</summary>
public static class RefundAccess
{
    /// <summary>The payer is told 403 about their own payment; anyone else learns nothing (404).</summary>
    public static async Task EnsureMayRefundAsync(
        PaymentsDbContext db,
        Guid paymentId,
        ClaimsPrincipal principal,
        CancellationToken cancellationToken
    )
    {
        var callerId = principal.UserId();
        var payment = await db.Payments.AsNoTracking().FirstOrDefaultAsync(p => p.Id == paymentId, cancellationToken);
        var isAdmin = principal.IsInRole(Roles.Admin);
        if (payment is null || (!isAdmin && payment.SellerUserId != callerId && payment.UserId != callerId))
            throw new NotFoundException("No payment has this id.");
        if (!isAdmin && payment.SellerUserId != callerId)
            throw new ForbiddenException("Only the organizer who sold this, or an admin, may refund it.");
    }
}
