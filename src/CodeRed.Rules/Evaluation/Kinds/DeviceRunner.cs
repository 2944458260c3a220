using CodeRed.Rules.Matching;
using CodeRed.Rules.Model;

namespace CodeRed.Rules.Evaluation;

internal sealed partial class Evaluator
{
    /// <summary>
    /// A device rule: judged on what is known of the device (model, version, patches, given or read from the evidence)
    /// each time a report is made, never on lines.
    /// </summary>
    private sealed class DeviceRunner(CompiledRule rule, Evaluator owner) : RuleRunner(rule)
    {
        public static RuleRunner For(CompiledRule rule, Evaluator owner) => WithTestFaults(new DeviceRunner(rule, owner));

        public override Diagnostic? Judge(DeviceSummary device)
        {
            if (owner._severity[Rule.Index] is not { } severity || !Holds(Rule.Device!, device))
            {
                return null;
            }

            var properties = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
            AddProperty(properties, "model", device.Model?.Name ?? device.ModelInput);
            AddProperty(properties, "firmware", device.Firmware?.ToString());
            AddProperty(properties, "firmwareSource", device.FirmwareSource);
            AddProperty(properties, "fixedIn", device.Model?.FixedIn?.ToString() ?? device.Model?.FixPatch);
            if (device.Patches is { } patchList)
            {
                properties["patches"] = patchList;
            }

            var descriptor = Rule.Descriptor;
            return new Diagnostic
            {
                Descriptor = descriptor,
                Severity = severity,
                Message = Render(descriptor, descriptor.MessageFormat.Get(owner._culture), name => owner.DeviceValue(name, device, 1, null, null)),
                MessagesByLanguage = InEveryLanguage(descriptor, culture => Render(descriptor, descriptor.MessageFormat.Get(culture), name => owner.DeviceValue(name, device, 1, null, null, culture))),
                Count = 1,
                Properties = properties,
                Caveats = descriptor.Caveats.Select(c => c.Get(owner._culture)).ToArray(),
            };
        }

        private static void AddProperty(Dictionary<string, IReadOnlyList<string>> properties, string name, string? value)
        {
            if (value is not null)
            {
                properties[name] = [value];
            }
        }

        private static bool Holds(Definitions.DeviceConditionDefinition c, DeviceSummary device)
        {
            var model = device.Model;
            if (c.ModelKnown is { } known && known != (model is not null))
            {
                return false;
            }

            if (c.Status is { } status && model?.Status != status)
            {
                return false;
            }

            if (c.Note is { } note && model?.NoteId != note)
            {
                return false;
            }

            if (c.FixAvailable is { } fixAvailable && (model is null || fixAvailable != model.HasFix))
            {
                return false;
            }

            // A known version outside the entry's 'versions' range is not affected: neither below the fix, fixed, nor missing a patch.
            var inRange = device.Firmware is not { } v || model is null || model.InRange(v);
            if (c.Patch is { } patch && !(inRange && model?.FixPatch is { } id && patch switch
                {
                    Definitions.PatchCondition.Installed => device.Patches is { } list && model.IsFixPatch(list),
                    Definitions.PatchCondition.Missing => device.Patches is { } list && !model.IsFixPatch(list),
                    _ => device.Patches is null,
                }))
            {
                return false;
            }

            return c.Version switch
            {
                Definitions.VersionCondition.BelowFix => inRange && model?.FixedIn is { } fix && device.Firmware is { } fw && fw < fix,
                Definitions.VersionCondition.Fixed => inRange && model?.FixedIn is { } fix && device.Firmware is { } fw && fw >= fix,
                Definitions.VersionCondition.Unknown => device.Firmware is null,
                Definitions.VersionCondition.OutOfRange => !inRange,
                _ => true,
            };
        }
    }
}
