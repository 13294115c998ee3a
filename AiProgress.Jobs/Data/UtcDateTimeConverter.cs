using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace AiProgress.Jobs.Data;

/// <summary>
/// MySQL's DATETIME has no zone and comes back as Kind Unspecified, which .NET then treats as local time.
/// Every instant in the jobs table is UTC: written as UTC (local values converted), read back as Kind Utc.
/// </summary>
public sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
    value => value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : value,
    stored => DateTime.SpecifyKind(stored, DateTimeKind.Utc));
