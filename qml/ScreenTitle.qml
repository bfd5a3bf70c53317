import QtQuick

// The display's label, as people know the screen ("Hotel Lobby"): the largest words on
// every screen. A long name ("Meeting Room 4 – Conference Centre East Wing") gets
// smaller before it takes a second line, and never takes a third.
FittingText {
    color: Theme.textPrimary
    fontWeight: Font.Bold
    // Large bold text reads tighter and calmer with slightly closed-up letters.
    letterSpacingEm: -0.015
    linesAllowed: 2
    minimumScale: 0.5
    lineHeight: 1.05
    maximumLineCount: 2
    elide: Text.ElideRight
}
