; Inno Setup 6 script: installs the one-folder bundle (dist\onestop-desk, built by scripts/build-bundle.sh
; on Windows) for the whole machine under Program Files, with Start-menu and desktop shortcuts, and
; creates %ProgramData%\OneStopDesk, writable by the PC's users, where the program keeps the shared
; database, backups, log and machine-wide settings (desk/config.py machine_dir()).
;   "C:\Program Files (x86)\Inno Setup 6\ISCC.exe" /DAppVersion=0.1.0 packaging\windows\onestop-desk.iss
; writes dist\onestop-desk-setup.exe. Built by .github/workflows/windows.yml; not tried on a real PC here.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "OneStop Desk"
#define Root AddBackslash(SourcePath) + "..\.."
#define BundleDir Root + "\dist\onestop-desk"

[Setup]
AppId={{6F1C3B52-8E0A-4C2D-9B57-1D3A7E4F0C21}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=OneStop Desk
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
; Per machine: every Windows account of the PC gets the program and shares one data folder.
PrivilegesRequired=admin
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir={#Root}\dist
OutputBaseFilename=onestop-desk-setup
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
UninstallDisplayIcon={app}\onestop-desk-gui.exe
UninstallDisplayName={#AppName}

[Languages]
; Inno Setup ships no official Vietnamese translation of its wizard; English it is.
Name: "en"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[Dirs]
; The register of dossiers is legal record: the data folder stays when the program is uninstalled.
Name: "{commonappdata}\OneStopDesk"; Permissions: users-modify; Flags: uninsneveruninstall

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
; onestop-desk-gui.exe is the same program without a console window; onestop-desk.exe is for the CLI.
Name: "{group}\{#AppName}"; Filename: "{app}\onestop-desk-gui.exe"; WorkingDir: "{userdocs}"
Name: "{group}\{cm:UninstallProgram,{#AppName}}"; Filename: "{uninstallexe}"
Name: "{commondesktop}\{#AppName}"; Filename: "{app}\onestop-desk-gui.exe"; WorkingDir: "{userdocs}"; Tasks: desktopicon

[Run]
Filename: "{app}\onestop-desk-gui.exe"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
