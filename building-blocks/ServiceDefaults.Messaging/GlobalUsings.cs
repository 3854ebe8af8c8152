global using MassTransit;
global using Microsoft.EntityFrameworkCore;
