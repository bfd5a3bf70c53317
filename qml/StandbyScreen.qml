import QtQuick

// Waiting for someone: the display's name, a big QR code to borrow it, one line saying
// what to do, and when the code changes. While every session slot is taken ("busy") the
// code is replaced by a note that the screen is in use: scanning could not work anyway.
Item {
    id: screen

    required property QtObject display

    readonly property bool busy: display.state === "busy"
    readonly property bool portrait: height > width
    // Landscape puts the code beside the words; portrait and the busy note stack them.
    readonly property bool sideBySide: !portrait && !busy

    // Every size derives from the short side so the screen reads the same from 720p to
    // 4K and turned on its side.
    readonly property real unit: Math.min(width, height) / 100
    readonly property real margin: unit * 8
    readonly property real codeGap: unit * 9
    readonly property int cardSide: Math.round(portrait ? Math.min(unit * 70, height * 0.45)
                                                        : Math.min(unit * 66, width * 0.46))
    readonly property real textWidth: sideBySide
                                      ? Math.min(width - 2 * margin - cardSide - codeGap,
                                                 unit * 100)
                                      : Math.min(width - 2 * margin, unit * 110)
    readonly property int textAlignment: sideBySide ? Text.AlignLeft : Text.AlignHCenter

    // Side by side, code and words are centred as a pair on the words' actual width, not
    // on the room they may take: a short name would otherwise leave the pair off-centre.
    readonly property real wordsWidth: Math.min(textWidth,
                                                Math.max(statusBadge.width, title.contentWidth,
                                                         instruction.contentWidth,
                                                         countdown.width))
    readonly property real codeLeft: sideBySide
                                     ? Math.round((width - cardSide - codeGap - wordsWidth) / 2)
                                     : Math.round((width - cardSide) / 2)
    readonly property real textLeft: sideBySide ? codeLeft + cardSide + codeGap
                                                : Math.round((width - textWidth) / 2)
    readonly property real badgeToTitle: unit * 2
    readonly property real aroundCode: unit * 6
    readonly property real titleToInstruction: sideBySide ? unit * 4 : aroundCode
    readonly property real instructionToCountdown: unit * 6
    readonly property real stackHeight: statusBadge.height + badgeToTitle + title.height
                                        + (sideBySide || busy ? 0 : aroundCode + cardSide)
                                        + titleToInstruction + instruction.height
                                        + (busy ? unit * 2.5 + busyHint.height
                                                : instructionToCountdown + countdown.height)
    readonly property real stackTop: Math.round((height - stackHeight) / 2)

    StatusBadge {
        id: statusBadge
        x: screen.sideBySide ? screen.textLeft : Math.round((screen.width - width) / 2)
        y: screen.stackTop
        text: screen.busy ? qsTr("In use") : qsTr("Available")
        color: screen.busy ? Theme.inUse : Theme.available
        pixelSize: Math.round(screen.unit * 3.2)
    }

    ScreenTitle {
        id: title
        x: screen.textLeft
        y: statusBadge.y + statusBadge.height + screen.badgeToTitle
        width: screen.textWidth
        horizontalAlignment: screen.textAlignment
        text: screen.display.label
        pixelSize: screen.unit * 9
    }

    QrCode {
        id: qrCode
        visible: !screen.busy
        width: screen.cardSide
        height: screen.cardSide
        x: screen.codeLeft
        y: screen.sideBySide ? Math.round((screen.height - screen.cardSide) / 2)
                             : Math.round(title.y + title.height + screen.aroundCode)
        // Only a standby display's code is shown: any other state drops it at once.
        text: screen.display.state === "standby" ? screen.display.pairUri : ""
    }

    FittingText {
        id: instruction
        x: screen.textLeft
        y: Math.round(screen.sideBySide || screen.busy
                      ? title.y + title.height + screen.titleToInstruction
                      : qrCode.y + qrCode.height + screen.aroundCode)
        width: screen.textWidth
        horizontalAlignment: screen.textAlignment
        // Broken by hand: left to wrap, "screen" would end up alone on the second line.
        text: screen.busy ? qsTr("Someone is using this screen right now.")
                          : qsTr("Scan with your phone\nto use this screen")
        color: Theme.textSecondary
        pixelSize: screen.unit * 4.6
        minimumScale: 0.75
        lineHeight: 1.1
    }

    Text {
        id: busyHint
        visible: screen.busy
        x: screen.textLeft
        y: Math.round(instruction.y + instruction.height + screen.unit * 2.5)
        width: screen.textWidth
        horizontalAlignment: screen.textAlignment
        text: qsTr("A new code will appear here when it\u2019s free.")
        color: Theme.textMuted
        font.pixelSize: Math.round(screen.unit * 3.4)
        lineHeight: 1.15
        wrapMode: Text.Wrap
    }

    CountdownRing {
        id: countdown
        x: screen.sideBySide ? screen.textLeft : Math.round((screen.width - width) / 2)
        y: Math.round(instruction.y + instruction.height + screen.instructionToCountdown)
        visible: !screen.busy && qrCode.text.length > 0
        running: visible && screen.visible
        rotatesAt: screen.display.tokenRotatesAt
        period: screen.display.rotationPeriod
        pixelSize: Math.round(screen.unit * 3.2)
    }
}
