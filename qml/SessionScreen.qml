import QtQuick

// Someone's phone has borrowed the screen. While it signs in: whose account, what their
// phone is doing, and a way to cancel. Once signed in: a slim bar saying whose session it
// is, with the End button always in reach, and the rest of the screen left to the app.
Item {
    id: screen

    required property QtObject display

    readonly property bool active: display.sessionState === "active"
    readonly property bool connecting: display.sessionState === "connecting"
    readonly property string user: display.sessionUser
    readonly property real unit: Math.min(width, height) / 100

    // The app view goes into appArea; the bar above it is the screen's, not the app's.
    readonly property alias appArea: appAreaItem

    // The two views cross-fade as the session signs in. When it ends, the layout stays put
    // while the whole screen fades out, but the account name goes at once: nothing of the
    // session lingers on screen for the fade.
    property bool shownActive: false
    readonly property bool hasSession: display.sessionState.length > 0
    onHasSessionChanged: updateShownActive()
    onActiveChanged: updateShownActive()
    Component.onCompleted: updateShownActive()
    function updateShownActive() {
        if (hasSession)
            shownActive = active
    }

    Item {
        id: signingIn
        objectName: "signingInView"
        anchors.fill: parent
        opacity: screen.shownActive ? 0 : 1
        visible: opacity > 0
        Behavior on opacity { NumberAnimation { duration: 300; easing.type: Easing.InOutQuad } }

        readonly property real textWidth: Math.min(width - screen.unit * 16, screen.unit * 130)

        Column {
            anchors.centerIn: parent
            // Up a little, clear of a message banner at the bottom edge.
            anchors.verticalCenterOffset: -Math.round(screen.unit * 3)
            width: signingIn.textWidth
            spacing: 0

            StatusBadge {
                anchors.horizontalCenter: parent.horizontalCenter
                // What passers-by need: the screen is taken. The headline says the rest.
                text: qsTr("In use")
                color: Theme.inUse
                pixelSize: Math.round(screen.unit * 3.2)
            }

            FittingText {
                objectName: "signingInHeadline"
                topPadding: Math.round(screen.unit * 2)
                width: parent.width
                horizontalAlignment: Text.AlignHCenter
                text: {
                    if (screen.user.length === 0)
                        return qsTr("Signing in\u2026")
                    return screen.connecting ? qsTr("Connecting %1\u2026").arg(screen.user)
                                             : qsTr("Signing in as %1\u2026").arg(screen.user)
                }
                color: Theme.textPrimary
                pixelSize: screen.unit * 7
                fontWeight: Font.Bold
                letterSpacingEm: -0.01
                // The same number of lines from connecting to signing in, so the layout
                // holds still: one (shrunk if need be) across a wide screen, two on an
                // upright one, where one would shrink it below the words under it.
                linesAllowed: screen.height > screen.width ? 2 : 1
                minimumScale: 0.6
                lineHeight: 1.05
                maximumLineCount: 2
                elide: Text.ElideMiddle
            }

            Item {
                width: parent.width
                height: Math.round(screen.unit * 5.5)
            }

            SigningInIndicator {
                id: indicator
                objectName: "signingInIndicator"
                anchors.horizontalCenter: parent.horizontalCenter
                height: Math.round(screen.unit * 15)
                width: implicitWidth
                running: signingIn.visible && screen.visible
            }

            Item {
                width: parent.width
                height: Math.round(screen.unit * 5.5)
            }

            FittingText {
                width: parent.width
                horizontalAlignment: Text.AlignHCenter
                text: screen.connecting ? qsTr("Confirm on your phone")
                                        : qsTr("Your phone is signing you in")
                color: Theme.textSecondary
                pixelSize: screen.unit * 4.8
                fontWeight: Font.DemiBold
                minimumScale: 0.7
            }

            Text {
                topPadding: Math.round(screen.unit * 1.8)
                width: parent.width
                horizontalAlignment: Text.AlignHCenter
                text: qsTr("Your password stays on your phone \u2014 this screen never sees it.")
                color: Theme.textMuted
                font.pixelSize: Math.round(screen.unit * 3.3)
                lineHeight: 1.15
                wrapMode: Text.Wrap
            }

            Item {
                width: parent.width
                height: Math.round(screen.unit * 4.5)
            }

            KioskButton {
                objectName: "cancelSessionButton"
                anchors.horizontalCenter: parent.horizontalCenter
                // Off the moment the session is signed in, not once its view has faded:
                // a tap then would end a session the person just saw open.
                enabled: signingIn.visible && !screen.shownActive
                text: qsTr("Cancel")
                pixelSize: Math.round(screen.unit * 3.6)
                faceHeight: Math.round(screen.unit * 9)
                touchMargin: Math.round(screen.unit * 2)
                textColor: Theme.textPrimary
                borderColor: Theme.textMuted
                onClicked: screen.display.endSession()
            }
        }
    }

    Item {
        id: signedIn
        objectName: "signedInView"
        anchors.fill: parent
        opacity: screen.shownActive ? 1 : 0
        visible: opacity > 0
        Behavior on opacity { NumberAnimation { duration: 300; easing.type: Easing.InOutQuad } }

        readonly property real sideMargin: Math.round(screen.unit * 4)

        Rectangle {
            id: bar
            objectName: "sessionBar"
            width: parent.width
            height: Math.round(screen.unit * 12)
            color: Theme.panel

            Rectangle {
                anchors.bottom: parent.bottom
                width: parent.width
                height: Math.max(1, Math.round(screen.unit * 0.2))
                color: Theme.panelBorder
            }

            // Beside the account, not the caption: it marks whose session is live.
            Rectangle {
                id: signedInDot
                x: signedIn.sideMargin
                y: Math.round(whose.y + signedInUser.y + (signedInUser.height - height) / 2)
                width: Math.round(screen.unit * 2)
                height: width
                radius: width / 2
                color: Theme.available
            }

            // A caption over the account: narrower than one line of both, so a long
            // address still fits beside the End button on a screen turned upright.
            Column {
                id: whose
                x: signedInDot.x + signedInDot.width + Math.round(screen.unit * 1.6)
                anchors.verticalCenter: parent.verticalCenter
                anchors.verticalCenterOffset: -Math.round(screen.unit * 0.2)
                spacing: Math.round(screen.unit * 0.2)
                // Text may run under the End button's margin, never under its face.
                width: Math.max(0, endButton.x + endButton.face.x - x - screen.unit * 3)

                Text {
                    text: qsTr("Signed in as")
                    color: Theme.textMuted
                    font.pixelSize: Math.round(screen.unit * 2.4)
                    font.weight: Font.DemiBold
                    font.letterSpacing: screen.unit * 2.4 * 0.08
                    font.capitalization: Font.AllUppercase
                }
                Text {
                    id: signedInUser
                    objectName: "signedInUser"
                    width: parent.width
                    text: screen.user
                    color: Theme.textPrimary
                    font.pixelSize: Math.round(screen.unit * 3.8)
                    font.weight: Font.DemiBold
                    // The domain is the part people tell apart least; keep both ends.
                    elide: Text.ElideMiddle
                }
            }

            KioskButton {
                id: endButton
                objectName: "endSessionButton"
                // The whole height of the bar takes the tap, and a margin to its right.
                x: parent.width - width
                height: parent.height
                touchMargin: signedIn.sideMargin
                enabled: signedIn.visible && screen.shownActive
                filled: true
                text: qsTr("End session")
                pixelSize: Math.round(screen.unit * 3.6)
                faceHeight: Math.round(screen.unit * 8)
                textColor: Theme.textOnEndSession
                onClicked: screen.display.endSession()
            }
        }

        // Where the app will be shown. Until then, a word that the session is open and
        // how to leave it.
        Item {
            id: appAreaItem
            objectName: "appArea"
            anchors.top: bar.bottom
            anchors.left: parent.left
            anchors.right: parent.right
            anchors.bottom: parent.bottom

            // The session's app, once the phone chose one. AppView.qml is loaded by URL,
            // so the web engine's QML module is only loaded when an app is shown.
            Loader {
                id: appLoader
                objectName: "appLoader"
                anchors.fill: parent
                readonly property QtObject appSession: screen.display.appView
                onAppSessionChanged: show()
                Component.onCompleted: show()
                function show() {
                    // Cleared first: another session's app never reuses this one's view.
                    source = ""
                    if (appSession)
                        setSource(Qt.resolvedUrl("AppView.qml"), {session: appSession})
                }
            }

            Column {
                anchors.centerIn: parent
                visible: appLoader.status !== Loader.Ready
                width: Math.min(parent.width - screen.unit * 16, screen.unit * 130)
                spacing: 0

                Rectangle {
                    id: openMark
                    anchors.horizontalCenter: parent.horizontalCenter
                    width: Math.round(screen.unit * 13)
                    height: width
                    radius: width / 2
                    color: "transparent"
                    border.width: Math.max(2, Math.round(width * 0.06))
                    border.color: Theme.available
                    antialiasing: true

                    // A tick from two bars meeting at its bottom point.
                    Item {
                        anchors.centerIn: parent
                        anchors.verticalCenterOffset: Math.round(openMark.width * 0.04)
                        width: Math.round(openMark.width * 0.46)
                        height: Math.round(width * 0.7)
                        rotation: -45
                        transformOrigin: Item.Center
                        readonly property real thickness: openMark.border.width
                        Rectangle {
                            x: 0
                            y: 0
                            width: parent.thickness
                            height: parent.height * 0.55
                            color: Theme.available
                            antialiasing: true
                        }
                        Rectangle {
                            x: 0
                            y: parent.height * 0.55 - parent.thickness
                            width: parent.width
                            height: parent.thickness
                            color: Theme.available
                            antialiasing: true
                        }
                    }
                }

                FittingText {
                    topPadding: Math.round(screen.unit * 5)
                    width: parent.width
                    horizontalAlignment: Text.AlignHCenter
                    // Broken by hand so the lines balance instead of leaving a word alone.
                    text: qsTr("Your session is open\non this screen")
                    color: Theme.textPrimary
                    pixelSize: screen.unit * 7
                    fontWeight: Font.Bold
                    letterSpacingEm: -0.01
                    minimumScale: 0.6
                    lineHeight: 1.05
                }

                Text {
                    objectName: "sessionLine"
                    topPadding: Math.round(screen.unit * 2.5)
                    width: parent.width
                    horizontalAlignment: Text.AlignHCenter
                    visible: text.length > 0
                    text: screen.display.sessionLine
                    color: Theme.textSecondary
                    font.pixelSize: Math.round(screen.unit * 4.2)
                    lineHeight: 1.1
                    wrapMode: Text.Wrap
                    maximumLineCount: 2
                    elide: Text.ElideRight
                }

                Text {
                    topPadding: Math.round(screen.unit * 5)
                    width: parent.width
                    horizontalAlignment: Text.AlignHCenter
                    text: qsTr("Done? Tap End session and everything is wiped from this screen.")
                    color: Theme.textMuted
                    font.pixelSize: Math.round(screen.unit * 3.3)
                    lineHeight: 1.15
                    wrapMode: Text.Wrap
                }
            }
        }

        TransferBar {
            display: screen.display
            unit: screen.unit
            anchors.horizontalCenter: parent.horizontalCenter
            anchors.bottom: parent.bottom
            anchors.bottomMargin: Math.round(screen.unit * 4)
            width: Math.min(parent.width - 2 * signedIn.sideMargin, Math.round(screen.unit * 120))
        }
    }
}
