using System.ComponentModel.DataAnnotations.Schema;
using Microsoft.EntityFrameworkCore;

namespace Community.AiCompanion.Limits;

/// <summary>Messages a user sent on one UTC day (<c>companion_usage</c>); written only by <see cref="CompanionAllowance"/>.</summary>
[Table("companion_usage")]
[PrimaryKey(nameof(UserId), nameof(Day))]
public sealed class DailyUsage
{
    public Guid UserId { get; set; }
    public DateOnly Day { get; set; }
    public long Messages { get; set; }
}
