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

    // Ending a session must be findable at a glance: white on red passes WCAG AA as text,
    // and the red stands out at better than 3:1 from the dark bar around it.
    readonly property color endSession: "#d1423a"
    readonly property color endSessionPressed: "#a8322b"
    readonly property color textOnEndSession: "#ffffff"

    // Messages float over any screen, so they sit on a lighter panel than the screens use.
    readonly property color banner: "#243041"
    readonly property color bannerBorder: "#3b4a5e"
}
