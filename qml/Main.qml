import QtQuick
import QtQuick.Window

// The display's window. kioskd sets `display` (a DisplayStatus) as an initial property and
// registers the "qr" image provider before loading this file.
Window {
    id: window

    required property QtObject display

    width: 1280
    height: 720
    visible: true
    title: display.label.length > 0 ? display.label : qsTr("kioskd")
    color: Theme.backgroundBottom

    readonly property bool offline: display.state !== "standby" && display.state !== "busy"
    // With every slot taken the newest session has the screen. While slots are free the
    // code stays up for the next person, sessions or not.
    readonly property bool sessionShown: display.state === "busy"
                                         && display.sessionState.length > 0
    readonly property real unit: Math.min(width, height) / 100

    Rectangle {
        anchors.fill: parent
        gradient: Gradient {
            GradientStop { position: 0; color: Theme.backgroundTop }
            GradientStop { position: 1; color: Theme.backgroundBottom }
        }
    }

    // The screens stay loaded and cross-fade, so a flapping connection doesn't rebuild
    // them; a hidden screen runs no timers. The QR code itself is dropped at once when
    // the state leaves "standby", not faded out.
    StandbyScreen {
        anchors.fill: parent
        display: window.display
        opacity: window.offline || window.sessionShown ? 0 : 1
        visible: opacity > 0
        Behavior on opacity { NumberAnimation { duration: 300; easing.type: Easing.InOutQuad } }
    }

    OfflineScreen {
        anchors.fill: parent
        display: window.display
        opacity: window.offline ? 1 : 0
        visible: opacity > 0
        // Fades in only: when the display comes back, the offline words must not lie over
        // the fresh QR code while it fades in (a camera would see a muddled picture).
        Behavior on opacity {
            enabled: window.offline
            NumberAnimation { duration: 300; easing.type: Easing.InOutQuad }
        }
    }

    SessionScreen {
        anchors.fill: parent
        display: window.display
        opacity: window.sessionShown ? 1 : 0
        visible: opacity > 0
        Behavior on opacity { NumberAnimation { duration: 300; easing.type: Easing.InOutQuad } }
    }

    MessageBanner {
        objectName: "messageBanner"
        anchors.horizontalCenter: parent.horizontalCenter
        anchors.bottom: parent.bottom
        anchors.bottomMargin: Math.round(window.unit * 2.5)
        message: window.display.message
        pixelSize: Math.round(window.unit * 3.6)
        maximumWidth: Math.min(window.width - window.unit * 8, window.unit * 160)
    }
}
