global using Community.Messaging.Data;
global using Community.ServiceDefaults.Api;
global using Community.ServiceDefaults.Data;
global using Community.ServiceDefaults.Errors;
global using Microsoft.EntityFrameworkCore;
global using Microsoft.EntityFrameworkCore.Metadata.Builders;
