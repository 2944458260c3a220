using System.Globalization;
using CodeRed.Rules.Model;

namespace CodeRed.Rules.Evaluation;

/// <summary>
/// The words a report needs besides the pack's own texts: "(+3 more)", "(not given)", the text report's labels. The
/// engine has them in English and Japanese; a pack's manifest may give them in more languages (or reword them) under
/// <c>phrases</c>, so a pack in any language gives a report wholly in that language.
/// </summary>
internal sealed class ReportPhrases
{
    /// <summary>Every phrase: its built-in texts, and the placeholders it may use.</summary>
    internal static readonly IReadOnlyDictionary<string, (LocalizedText Text, string[] Placeholders)> Known =
        new Dictionary<string, (LocalizedText, string[])>(StringComparer.Ordinal)
        {
            ["notGiven"] = (Texts("(not given)", "(指定なし)"), []),
            ["noPatches"] = (Texts("none", "なし"), []),
            ["givenVersion"] = (Texts("given", "指定値"), []),
            ["moreValues"] = (Texts("(+{more} more)", "(他 {more} 件)"), ["more"]),
            ["moreValuesNotKept"] = (Texts("(+{more} more and others not kept)", "(他 {more} 件、ほかに保持しなかった値あり)"), ["more"]),
            ["othersNotKept"] = (Texts("(and others not kept)", "(ほかに保持しなかった値あり)"), []),
            ["detailMore"] = (Texts("and {more} others", "ほか {more} 件"), ["more"]),
            ["detailMoreNotKept"] = (Texts("and {more} others, and more not kept", "ほか {more} 件、ほかに保持しなかった値あり"), ["more"]),
            ["detailNotKept"] = (Texts("and others not kept", "ほかに保持しなかった値あり"), []),
            ["ruleFailed"] = (Texts("Rule {rule} failed and was skipped for the rest of this source: {error}", "ルール {rule} が失敗したため、このソースの残りでは実行しませんでした: {error}"), ["rule", "error"]),
            ["error"] = (Texts("error", "エラー"), []),
            ["warning"] = (Texts("warning", "警告"), []),
            ["info"] = (Texts("info", "情報"), []),
            ["pack"] = (Texts("Pack", "ルールパック"), []),
            ["device"] = (Texts("Device", "機器"), []),
            ["version"] = (Texts("version", "バージョン"), []),
            ["noFindings"] = (Texts("No findings.", "検出事項はありません。"), []),
            ["modelAndVersion"] = (Texts("Model and version:", "機種とバージョン:"), []),
            ["line"] = (Texts("line", "行"), []),
            ["help"] = (Texts("help", "ヘルプ"), []),
            ["verdict"] = (Texts("Verdict", "判定"), []),
            ["remediation"] = (Texts("Remediation, in order:", "対策 (この順に実施):"), []),
            ["first"] = (Texts("First", "先に"), []),
            ["appliesTo"] = (Texts("Applies to", "対象機種"), []),
            ["caveats"] = (Texts("Caveats (from the advisory):", "注意 (アドバイザリより):"), []),
            ["done"] = (Texts("done", "実施済み"), []),
            ["undone"] = (Texts("undone", "取り消し"), []),
            ["stepDone"] = (Texts("'{command}' entered at {where}.", "{where} で '{command}' が入力されています。"), ["command", "where"]),
            ["stepUndone"] = (Texts("'{command}' at {where} undid '{done}' (entered at {doneWhere}), so the step is open again.",
                "{doneWhere} で入力された '{done}' は {where} の '{command}' で取り消されたため、再度実施が必要です。"), ["command", "where", "done", "doneWhere"]),
            ["htmlReport"] = (Texts("Report", "レポート"), []),
            ["htmlModel"] = (Texts("Model", "機種"), []),
            ["htmlVersion"] = (Texts("Version", "バージョン"), []),
            ["htmlSource"] = (Texts("Source", "出典"), []),
            ["htmlFindings"] = (Texts("Findings", "検出事項"), []),
            ["htmlTimeline"] = (Texts("Timeline (by day and hour of the log)", "タイムライン (ログの日時)"), []),
            ["htmlNoTimes"] = (Texts("No line of a finding carries a time the pack can read.", "検出事項の行に、ルールパックが読み取れる日時はありません。"), []),
            ["htmlMarks"] = (Texts("One mark per hit with a time: {marks} in all.", "日時のある検出 1 件につき 1 つの印: 計 {marks} 件。"), ["marks"]),
            ["htmlUntimed"] = (Texts("Hits without a readable time (or beyond the first 1000 of a rule) are not drawn.", "日時を読み取れない検出 (またはルールごとの最初の 1000 件を超える分) は描いていません。"), []),
            ["htmlRestart"] = (Texts("device restart", "機器の再起動"), []),
            ["htmlCopy"] = (Texts("Copy", "コピー"), []),
            ["htmlCopied"] = (Texts("Copied", "コピーしました"), []),
            ["htmlAdvisory"] = (Texts("Advisory", "アドバイザリ"), []),
            ["htmlPublisher"] = (Texts("Publisher", "発行元"), []),
            ["htmlFirstEdition"] = (Texts("First edition", "初版"), []),
            ["htmlRevised"] = (Texts("Revised", "改訂"), []),
            ["htmlReferences"] = (Texts("References", "参考情報"), []),
            ["htmlLines"] = (Texts("{lines} lines", "{lines} 行"), ["lines"]),
            ["htmlDevices"] = (Texts("Devices", "機器一覧"), []),
        };

    /// <summary>The engine's phrases alone, for packs without <c>phrases</c>.</summary>
    internal static ReportPhrases BuiltIn { get; } = new(new Dictionary<string, LocalizedText>(StringComparer.Ordinal));

    /// <summary>
    /// Phrase names packs may still write, and the general name each now has (the first names spoke of firmware, the
    /// AR pack's word for a version).
    /// </summary>
    internal static readonly IReadOnlyDictionary<string, string> FormerNames = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["givenFirmware"] = "givenVersion",
        ["firmware"] = "version",
        ["htmlFirmware"] = "htmlVersion",
        ["modelAndFirmware"] = "modelAndVersion",
    };

    private readonly IReadOnlyDictionary<string, LocalizedText> _pack;

    internal ReportPhrases(IReadOnlyDictionary<string, LocalizedText> pack) => _pack = pack;

    /// <summary>
    /// These phrases over the labels made from the pack's product words (<c>product.terms</c>): the version's label
    /// ("firmware"), its heading form ("Firmware") and the device findings' heading ("Model and firmware:"). The pack's
    /// own <c>phrases</c> win. Only English and Japanese have a way to join the words; other languages keep the engine's.
    /// </summary>
    internal ReportPhrases WithTerms(Products.ProductTerms terms)
    {
        if (ReferenceEquals(terms, Products.ProductTerms.Neutral))
        {
            return this;
        }

        static string Capital(string word) => word.Length == 0 ? word : char.ToUpperInvariant(word[0]) + word[1..];
        Dictionary<string, string> Join(Func<string, string, string, string?> join) =>
            terms.Version.Languages.Where(l => terms.Model.Has(l) || l == "en")
                .Select(l => (l, Text: join(l, terms.Model.Has(l) ? terms.Model.Get(System.Globalization.CultureInfo.GetCultureInfo(l)) : terms.Model.English, terms.Version.Get(System.Globalization.CultureInfo.GetCultureInfo(l)))))
                .Where(x => x.Text is not null)
                .ToDictionary(x => x.l, x => x.Text!, StringComparer.Ordinal);

        var derived = new Dictionary<string, LocalizedText>(StringComparer.Ordinal)
        {
            ["version"] = terms.Version,
            ["htmlVersion"] = new(Join((l, _, version) => l == "en" ? Capital(version) : version)),
            ["modelAndVersion"] = new(Join((l, model, version) => l switch
            {
                "en" => $"{Capital(model)} and {version}:",
                "ja" => $"{model}と{version}:",
                _ => null,
            })),
        };
        foreach (var (key, text) in _pack)
        {
            derived[key] = text;
        }

        return new ReportPhrases(derived);
    }

    /// <summary>Languages the pack's phrases add.</summary>
    internal IEnumerable<string> Languages => _pack.Values.SelectMany(t => t.Languages);

    /// <summary>True when the phrase exists in <paramref name="language"/>, from the pack or built in.</summary>
    internal bool Has(string key, string language) =>
        _pack.TryGetValue(key, out var text) && text.Has(language) || Known[key].Text.Has(language);

    /// <summary>The phrase in the culture's language: the pack's, else the engine's, else English.</summary>
    internal string Get(string key, CultureInfo culture, params (string Name, string Value)[] values)
    {
        var language = CultureLanguage.Of(culture);
        var builtIn = Known[key].Text;
        var template = _pack.TryGetValue(key, out var own) && own.Has(language) ? own.Get(culture)
            : builtIn.Has(language) ? builtIn.Get(culture)
            : own?.English ?? builtIn.English;
        return values.Length == 0 && !template.Contains('{', StringComparison.Ordinal)
            ? template
            : Definitions.MessageTemplate.Render(template, name => values.FirstOrDefault(v => v.Name == name).Value);
    }

    /// <summary>Where the firmware came from, for people: "given" (the API's and JSON's value) in the culture's language.</summary>
    internal string FirmwareSource(string? source, CultureInfo culture) =>
        source == GivenFirmwareSource ? Get("givenVersion", culture) : source ?? Get("notGiven", culture);

    /// <summary>The <see cref="DeviceSummary.FirmwareSource"/> of a firmware the caller gave.</summary>
    internal const string GivenFirmwareSource = "given";

    private static LocalizedText Texts(string english, string japanese) =>
        new(new Dictionary<string, string>(StringComparer.Ordinal) { ["en"] = english, ["ja"] = japanese });
}
