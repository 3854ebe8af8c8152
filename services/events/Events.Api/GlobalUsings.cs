global using Community.Events.Data;
global using Community.ServiceDefaults.Data;
global using Community.ServiceDefaults.Messaging;
global using Microsoft.EntityFrameworkCore;
