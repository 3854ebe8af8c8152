namespace Community.Messaging.Data;

/// <summary>The messaging service's database: conversations, members, messages, and the projections they are checked
/// against.</summary>
public sealed class MessagingDbContext(DbContextOptions<MessagingDbContext> options) : DbContext(options)
{
    public DbSet<Conversation> Conversations => Set<Conversation>();
    public DbSet<ConversationMember> ConversationMembers => Set<ConversationMember>();
    public DbSet<Message> Messages => Set<Message>();
    public DbSet<Attachment> Attachments => Set<Attachment>();
    public DbSet<GroupThread> Threads => Set<GroupThread>();
    public DbSet<UserProfile> UserProfiles => Set<UserProfile>();
    public DbSet<ConnectionPair> Connections => Set<ConnectionPair>();
    public DbSet<Block> Blocks => Set<Block>();
    public DbSet<Group> Groups => Set<Group>();
    public DbSet<GroupMember> GroupMembers => Set<GroupMember>();
    public DbSet<GroupJoinDecision> GroupJoinDecisions => Set<GroupJoinDecision>();
    public DbSet<GroupInvitationEnd> GroupInvitationEnds => Set<GroupInvitationEnd>();
    public DbSet<ErasureFollowUp> ErasureFollowUps => Set<ErasureFollowUp>();

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.ApplyConfigurationsFromAssembly(typeof(MessagingDbContext).Assembly);
        model.UsePlatformConventions();
    }
}
