import Foundation

/// A bar chart as inline SVG, drawn on the server so the console needs no script. Labels are
/// escaped here because the SVG is inserted into the page unescaped.
struct BarChart {
    struct Bar {
        let label: String
        let value: Int
    }

    let title: String
    let bars: [Bar]

    var svg: String {
        let width = 720, height = 220, left = 40, bottom = 40, top = 16
        let plotHeight = height - bottom - top
        let maximum = max(1, bars.map(\.value).max() ?? 1)
        let slot = bars.isEmpty ? 0 : Double(width - left - 8) / Double(bars.count)
        var parts: [String] = [
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-labelledby=\"chart-title\">",
            "<title id=\"chart-title\">\(Self.escape(title))</title>",
            "<line x1=\"\(left)\" y1=\"\(top + plotHeight)\" x2=\"\(width - 4)\" y2=\"\(top + plotHeight)\" class=\"axis\"/>",
            "<text x=\"\(left - 6)\" y=\"\(top + 4)\" class=\"tick\" text-anchor=\"end\">\(maximum)</text>",
            "<text x=\"\(left - 6)\" y=\"\(top + plotHeight)\" class=\"tick\" text-anchor=\"end\">0</text>",
        ]
        let labelEvery = max(1, Int((Double(bars.count) / 12).rounded(.up)))
        for (offset, bar) in bars.enumerated() {
            let barHeight = Int(Double(plotHeight) * Double(bar.value) / Double(maximum))
            let x = Double(left) + Double(offset) * slot + slot * 0.15
            let barWidth = max(1, slot * 0.7)
            parts.append("<rect x=\"\(Self.number(x))\" y=\"\(top + plotHeight - barHeight)\" width=\"\(Self.number(barWidth))\" height=\"\(barHeight)\" class=\"bar\"><title>\(Self.escape(bar.label)): \(bar.value)</title></rect>")
            if offset % labelEvery == 0 {
                parts.append("<text x=\"\(Self.number(x + barWidth / 2))\" y=\"\(height - bottom + 16)\" class=\"tick\" text-anchor=\"middle\">\(Self.escape(bar.label))</text>")
            }
        }
        parts.append("</svg>")
        return parts.joined(separator: "\n")
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    private static func number(_ value: Double) -> String {
        String(format: "%.1f", value)
    }
}
