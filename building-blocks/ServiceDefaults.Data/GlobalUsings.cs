global using Microsoft.EntityFrameworkCore;
global using Npgsql;
