using Community.Messaging.Threads;
using Community.ServiceDefaults.Data;
using Microsoft.EntityFrameworkCore;

namespace Community.Messaging.Data;

/// <summary>The messaging service's database: conversations, their members and messages, and the projections they are checked against.</summary>
public sealed class MessagingDbContext(DbContextOptions<MessagingDbContext> options) : DbContext(options)
{
    public DbSet<Conversation> Conversations => Set<Conversation>();
    public DbSet<ConversationMember> Members => Set<ConversationMember>();
    public DbSet<Message> Messages => Set<Message>();
    public DbSet<Attachment> Attachments => Set<Attachment>();
    public DbSet<GroupThread> Threads => Set<GroupThread>();
    public DbSet<UserName> Users => Set<UserName>();
    public DbSet<ConnectionPair> Connections => Set<ConnectionPair>();
    public DbSet<Block> Blocks => Set<Block>();
    public DbSet<Group> Groups => Set<Group>();
    public DbSet<GroupMember> GroupMembers => Set<GroupMember>();

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.Entity<Conversation>(e => e.ToTable("conversations").HasKey(c => c.Id));
        model.Entity<ConversationMember>(e =>
            e.ToTable("conversation_members").HasKey(m => new { m.ConversationId, m.UserId })
        );
        model.Entity<Message>(e =>
        {
            e.ToTable("messages").HasKey(m => m.Id);
            e.Property(m => m.Version).MapToXmin();
        });
        model.Entity<Attachment>(e => e.ToTable("attachments").HasKey(a => a.Id));
        model.Entity<GroupThread>(e =>
        {
            e.ToTable("threads").HasKey(t => t.Id);
            e.Property(t => t.Version).MapToXmin();
        });
        model.Entity<UserName>(e => e.ToTable("users").HasKey(u => u.UserId));
        model.Entity<ConnectionPair>(e => e.ToTable("connections").HasKey(c => new { c.UserLow, c.UserHigh }));
        model.Entity<Block>(e => e.ToTable("blocks").HasKey(b => new { b.BlockerId, b.BlockedId }));
        model.Entity<Group>(e => e.ToTable("groups").HasKey(g => g.GroupId));
        model.Entity<GroupMember>(e => e.ToTable("group_members").HasKey(m => new { m.GroupId, m.UserId }));
        model.UsePlatformConventions();
    }
}
