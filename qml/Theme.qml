pragma Singleton
import QtQuick

// Colours for a dark lobby: light text well above WCAG AAA contrast on the background, one
// calm accent per state, and nothing bright except the QR code, which should be what the
// eye finds first.
QtObject {
    readonly property color backgroundTop: "#131a24"
    readonly property color backgroundBottom: "#0a0e14"
    readonly property color panel: "#19212c"
    readonly property color panelBorder: "#2a3441"

    readonly property color textPrimary: "#f4f6f8"
    readonly property color textSecondary: "#c3ccd7"
    readonly property color textMuted: "#8b97a7"

    readonly property color available: "#4fd1a5"
    readonly property color inUse: "#7fb2ff"
    readonly property color offline: "#f2b84b"

    readonly property color codeBackground: "#ffffff"
}
