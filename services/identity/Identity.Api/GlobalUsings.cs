global using Community.Identity.Data;
global using Community.ServiceDefaults.Auth;
global using Community.ServiceDefaults.Errors;
global using Community.ServiceDefaults.Messaging;
global using Microsoft.AspNetCore.Http.HttpResults;
global using Microsoft.EntityFrameworkCore;
global using Microsoft.Extensions.Options;
