global using Community.Contracts;
global using Community.Contracts.Payments;
global using Community.Payments.Data;
global using Community.Payments.Providers;
global using Community.ServiceDefaults.Errors;
global using Community.ServiceDefaults.Messaging;
global using Microsoft.EntityFrameworkCore;
global using Microsoft.Extensions.Options;
