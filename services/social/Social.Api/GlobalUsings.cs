global using Community.ServiceDefaults.Messaging;
global using Community.Social.Data;
global using Microsoft.EntityFrameworkCore;
