global using Community.AiCompanion.Data;
global using Community.ServiceDefaults.Messaging;
global using Microsoft.EntityFrameworkCore;
